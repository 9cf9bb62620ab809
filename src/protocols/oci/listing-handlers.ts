import { CATALOG_ACTION } from './authorization.js';
import type { OciContext } from './context.js';
import { parsePage } from './http-parsing.js';

export async function listTags(ctx: OciContext, name: string) {
  const { registry, reply, query } = ctx;
  const repository = await registry.repositories.require(name);
  const { page, n } = parsePage(query);
  const tags = await registry.manifests.tags(repository, page);
  return reply.code(200).send({ name: repository.name, tags: paginate(ctx, `/v2/${repository.name}/tags/list`, tags, n) });
}

export async function listCatalog(ctx: OciContext) {
  const { registry, reply, query } = ctx;
  const { page, n } = parsePage(query);
  const names = paginate(ctx, '/v2/_catalog', await registry.repositories.list(page), n);
  // Only repositories the caller may describe; a page may come out shorter than n, and the Link still leads on.
  const allowed = await Promise.all(names.map((name) => ctx.allowed(CATALOG_ACTION, name)));
  return reply.code(200).send({ repositories: names.filter((_, i) => allowed[i]) });
}

/** Trims the one extra item fetched and, when there was one, links the next page as the spec's Link header. */
function paginate(ctx: OciContext, path: string, items: string[], n: number | undefined): string[] {
  if (n === undefined || items.length <= n) return items;
  const page = items.slice(0, n);
  const last = page[page.length - 1];
  if (last !== undefined) ctx.reply.header('link', `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`);
  return page;
}
