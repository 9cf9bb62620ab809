import { DomainError } from '../../domain/errors.js';
import { Digest } from '../../domain/model/digest.js';
import type { BlobRecord } from '../../domain/ports/metadata-store.js';
import type { UploadStatus } from '../../domain/content/blob-store.js';
import { CREATE_ON_PUSH_ACTION } from './authorization.js';
import { bodyOf, hasBody, type OciContext } from './context.js';
import { contentLengthOf, parseContentRange } from './http-parsing.js';

/** POST /v2/<name>/blobs/uploads/: a mount, a whole blob in one request (?digest=), or a new session. */
export async function startUpload(ctx: OciContext, name: string) {
  const { registry, query } = ctx;
  const repository = await registry.repositories.forPush(name, { authorizeCreate: () => ctx.authorize(CREATE_ON_PUSH_ACTION, name) });
  // A mount names its source: the caller was authorised to pull there. Without one, upload as usual.
  if (query.mount !== undefined && query.from !== undefined) {
    const mounted = await registry.blobLinks.mount(repository, Digest.parse(query.mount), query.from);
    if (mounted) return created(ctx, name, mounted);
  } else if (query.digest !== undefined) {
    const blob = await registry.blobs.ingest(repository.id, Digest.parse(query.digest), bodyOf(ctx));
    return created(ctx, name, blob);
  }
  return accepted(ctx, name, await registry.blobs.startUpload(repository.id), 202);
}

export async function patchUpload(ctx: OciContext, name: string, id: string) {
  const { registry, request } = ctx;
  const repository = await registry.repositories.require(name);
  const start = parseContentRange(request.headers['content-range'], contentLengthOf(request.headers['content-length']));
  try {
    return accepted(ctx, name, await registry.blobs.append(repository.id, id, bodyOf(ctx), start), 202);
  } catch (err) {
    // The spec's 416 tells the client where to resume: the current Range and Location.
    if (err instanceof DomainError && err.code === 'RANGE_INVALID' && typeof err.detail?.offset === 'number') {
      setUploadHeaders(ctx, name, { id, offset: err.detail.offset });
    }
    throw err;
  }
}

export async function putUpload(ctx: OciContext, name: string, id: string) {
  const { registry, query } = ctx;
  if (query.digest === undefined) throw new DomainError('DIGEST_INVALID', 'completing an upload needs ?digest=<digest> of the whole blob');
  const digest = Digest.parse(query.digest);
  const repository = await registry.repositories.require(name);
  const blob = await registry.blobs.completeUpload(repository.id, id, digest, hasBody(ctx) ? bodyOf(ctx) : undefined);
  return created(ctx, name, blob);
}

export async function getUpload(ctx: OciContext, name: string, id: string) {
  const { registry } = ctx;
  const repository = await registry.repositories.require(name);
  return accepted(ctx, name, await registry.blobs.uploadStatus(repository.id, id), 204);
}

export async function cancelUpload(ctx: OciContext, name: string, id: string) {
  const { registry, reply } = ctx;
  const repository = await registry.repositories.require(name);
  await registry.blobs.cancelUpload(repository.id, id);
  return reply.code(204).send();
}

function created(ctx: OciContext, name: string, blob: BlobRecord) {
  return ctx.reply
    .code(201)
    .header('location', `/v2/${name}/blobs/${blob.digest}`)
    .header('docker-content-digest', blob.digest)
    .header('content-length', 0)
    .send();
}

function accepted(ctx: OciContext, name: string, status: UploadStatus, code: 202 | 204) {
  setUploadHeaders(ctx, name, status);
  return ctx.reply.code(code).header('content-length', 0).send();
}

function setUploadHeaders(ctx: OciContext, name: string, status: UploadStatus): void {
  ctx.reply
    .header('location', `/v2/${name}/blobs/uploads/${status.id}`)
    .header('docker-upload-uuid', status.id)
    .header('range', `0-${Math.max(status.offset - 1, 0)}`);
}
