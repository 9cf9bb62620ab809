import type { OutgoingHttpHeaders } from 'node:http';
import { Digest } from '../../domain/model/digest.js';
import type { OciContext } from './context.js';
import { parseRangeHeader } from './http-parsing.js';

export async function getBlob(ctx: OciContext, name: string, digestText: string, withBody: boolean) {
  const { registry, request, reply } = ctx;
  const digest = Digest.parse(digestText);
  const repository = await registry.repositories.require(name);
  const blob = await registry.blobs.stat(repository.id, digest);
  reply
    .header('docker-content-digest', blob.digest)
    .header('accept-ranges', 'bytes')
    .header('etag', `"${blob.digest}"`)
    .header('cache-control', 'max-age=31536000')
    .type('application/octet-stream');
  const range = parseRangeHeader(request.headers.range, blob.size);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${blob.size}`).header('content-length', 0).send();
  }
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`).header('content-length', range.end - range.start + 1);
  } else {
    reply.code(200).header('content-length', blob.size);
  }
  if (!withBody) return reply.send();
  const sender = await registry.blobs.openForSend(blob, range);
  // The store writes into the socket itself, from buffers it reuses: fastify steps aside, and the
  // headers set on the reply go out here.
  reply.hijack();
  reply.raw.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  try {
    await sender.sendTo(reply.raw);
    reply.raw.end();
  } catch (err) {
    reply.log.warn({ err, digest: blob.digest }, 'blob download ended early');
    reply.raw.destroy();
  }
  return reply;
}

export async function deleteBlob(ctx: OciContext, name: string, digestText: string) {
  const { registry, reply } = ctx;
  const digest = Digest.parse(digestText);
  const repository = await registry.repositories.require(name);
  await registry.blobLinks.unlink(repository, digest);
  return reply.code(202).header('content-length', 0).send();
}
