import { Digest } from '../../domain/model/digest.js';
import { parseReference } from '../../domain/model/reference.js';
import { MAX_MANIFEST_BYTES } from '../../domain/registry/limits.js';
import { tooLarge } from '../../domain/registry/manifests.js';
import { CREATE_ON_PUSH_ACTION } from './authorization.js';
import { bodyOf, type OciContext } from './context.js';
import { contentLengthOf, readLimitedBody } from './http-parsing.js';

export async function getManifest(ctx: OciContext, name: string, ref: string, withBody: boolean) {
  const { registry, reply } = ctx;
  const reference = parseReference(ref);
  const repository = await registry.repositories.require(name);
  const manifest = withBody ? await registry.manifests.pull(repository, reference, ctx.caller?.policySubjectArn) : await registry.manifests.get(repository, reference);
  reply
    .header('content-type', manifest.mediaType)
    .header('content-length', manifest.payload.byteLength)
    .header('docker-content-digest', manifest.digest)
    .header('etag', `"${manifest.digest}"`);
  return reply.code(200).send(withBody ? Buffer.from(manifest.payload.buffer, manifest.payload.byteOffset, manifest.payload.byteLength) : undefined);
}

export async function putManifest(ctx: OciContext, name: string, ref: string) {
  const { registry, request, reply } = ctx;
  const reference = parseReference(ref);
  const repository = await registry.repositories.forPush(name, { authorizeCreate: () => ctx.authorize(CREATE_ON_PUSH_ACTION, name) });
  const payload = await readLimitedBody(bodyOf(ctx), contentLengthOf(request.headers['content-length']), MAX_MANIFEST_BYTES, tooLarge);
  const pushed = await registry.manifests.put(repository, reference, request.headers['content-type'], payload);
  reply
    .header('location', `/v2/${name}/manifests/${pushed.digest}`)
    .header('docker-content-digest', pushed.digest.toString())
    .header('content-length', 0);
  if (pushed.subject) reply.header('oci-subject', pushed.subject.toString());
  return reply.code(201).send();
}

export async function deleteManifest(ctx: OciContext, name: string, ref: string) {
  const { registry, reply } = ctx;
  const reference = parseReference(ref);
  const repository = await registry.repositories.require(name);
  if (reference.kind === 'tag') await registry.manifests.deleteTag(repository, reference.tag);
  else await registry.manifests.delete(repository, reference.digest);
  return reply.code(202).header('content-length', 0).send();
}

export async function getReferrers(ctx: OciContext, name: string, subject: string) {
  const { registry, reply, query } = ctx;
  const digest = Digest.parse(subject);
  const repository = await registry.repositories.require(name);
  const artifactType = query.artifactType || undefined;
  const referrers = await registry.manifests.referrers(repository, digest, artifactType);
  if (artifactType) reply.header('oci-filters-applied', 'artifactType');
  return reply
    .code(200)
    .type('application/vnd.oci.image.index.v1+json')
    .send(
      // A Buffer, so the media type goes out exactly as given (no charset appended).
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: referrers.map((r) => ({
            mediaType: r.mediaType,
            digest: r.digest,
            size: r.size,
            ...(r.artifactType && { artifactType: r.artifactType }),
            ...(r.annotations && { annotations: r.annotations }),
          })),
        }),
      ),
    );
}
