/**
 * The AWS query protocol, which IAM and STS speak: form-encoded requests (`Action=…&Version=…&Name.member.1=…`)
 * and XML responses laid out as AWS lays them out. The XML is a fixed, attribute-free shape, so a few lines
 * of escaping here do what an XML builder library would.
 */
import { DomainError } from '../../domain/errors.js';

export type QueryService = 'iam' | 'sts';

export const QUERY_SERVICES = {
  iam: { version: '2010-05-08', xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' },
  sts: { version: '2011-06-15', xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' },
} as const satisfies Record<QueryService, { version: string; xmlns: string }>;

/** A request parameter: a string, a list (`Name.member.N`, in N order) or a structure (`Name.Field`). */
export type QueryParameter = string | readonly QueryParameter[] | QueryStructure;
export interface QueryStructure {
  readonly [name: string]: QueryParameter | undefined;
}

export interface QueryRequest {
  action: string;
  /** The API version the client named, if any; each service checks its own. */
  version: string | undefined;
  parameters: QueryStructure;
}

/** A value to render: text, a list (each item a `<member>`) or a structure (child elements in key order). */
export type XmlValue = string | number | boolean | Date | readonly XmlValue[] | XmlStructure;
export interface XmlStructure {
  readonly [element: string]: XmlValue | undefined;
}

export interface QueryResponse {
  status: number;
  contentType: 'text/xml';
  body: string;
}

/** A step along a parameter name: `Tags.member.1.Key` is field 'Tags', item 1, field 'Key'. */
type Step = string | number;

type Draft = { kind: 'value'; value: string } | { kind: 'structure' | 'list'; children: Map<Step, Draft> };
type Container = Extract<Draft, { children: unknown }>;

/**
 * Reads a query-protocol request from its form-encoded body (POST) or query string (GET). The SigV4
 * parameters of a presigned URL (X-Amz-*) are authentication, not operation parameters, and are left out.
 */
export function parseQueryRequest(formEncoded: string): QueryRequest {
  let action: string | undefined;
  let version: string | undefined;
  const root: Container = { kind: 'structure', children: new Map() };
  for (const [name, value] of new URLSearchParams(formEncoded)) {
    if (name === 'Action') action = once(name, action, value);
    else if (name === 'Version') version = once(name, version, value);
    else if (!name.startsWith('X-Amz-')) place(root, name, steps(name), value);
  }
  if (!action) throw new DomainError('INVALID_PARAMETER', 'The request is missing an action or a required parameter.', { awsType: 'MissingAction' });
  return { action, version, parameters: finishStructure(root) };
}

function once(name: string, previous: string | undefined, value: string): string {
  if (previous !== undefined) throw malformed(name, 'is given more than once');
  return value;
}

function malformed(name: string, why: string): DomainError {
  return new DomainError('INVALID_PARAMETER', `Parameter '${name.slice(0, 256)}' ${why}.`);
}

function steps(name: string): Step[] {
  const segments = name.split('.');
  const path: Step[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') throw malformed(name, 'has an empty name segment');
    if (segment !== 'member') {
      path.push(segment);
      continue;
    }
    const index = segments[++i];
    if (index === undefined || !/^[1-9]\d{0,5}$/.test(index)) throw malformed(name, 'has a list item without a valid index (member.1, member.2, …)');
    if (i === 1) throw malformed(name, 'names a list item without naming the list');
    path.push(Number(index));
  }
  return path;
}

function place(root: Container, name: string, path: Step[], value: string): void {
  let container = root;
  for (const [i, step] of path.entries()) {
    const existing = container.children.get(step);
    const next = path[i + 1];
    if (next === undefined) {
      if (existing) throw malformed(name, 'is given more than once');
      container.children.set(step, { kind: 'value', value });
      return;
    }
    const kind = typeof next === 'number' ? 'list' : 'structure';
    if (existing && existing.kind !== kind) throw malformed(name, `is a ${kind} here but a ${existing.kind} in another parameter`);
    const child: Container = existing?.kind === kind ? existing : { kind, children: new Map() };
    container.children.set(step, child);
    container = child;
  }
}

function finish(draft: Draft): QueryParameter {
  if (draft.kind === 'value') return draft.value;
  if (draft.kind === 'list') return [...draft.children.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([, item]) => finish(item));
  return finishStructure(draft);
}

function finishStructure(structure: Container): QueryStructure {
  // No prototype: parameter names such as __proto__ or constructor are plain keys.
  const fields: Record<string, QueryParameter> = Object.create(null);
  for (const [field, child] of structure.children) fields[field] = finish(child);
  return fields;
}

/** A successful response: `<ActionResponse xmlns=…>`, the `<ActionResult>` when there is one, then the request id. */
export function renderQueryResponse(service: QueryService, action: string, requestId: string, result?: XmlStructure): QueryResponse {
  const body = xmlDocument(service, `${action}Response`, {
    ...(result && { [`${action}Result`]: result }),
    ResponseMetadata: { RequestId: requestId },
  });
  return { status: 200, contentType: 'text/xml', body };
}

/** An error response; AWS types 4xx errors as the Sender's fault and 5xx as the Receiver's (its own). */
export function renderQueryError(service: QueryService, error: { status: number; code: string; message: string }, requestId: string): QueryResponse {
  const body = xmlDocument(service, 'ErrorResponse', {
    Error: { Type: error.status < 500 ? 'Sender' : 'Receiver', Code: error.code, Message: error.message },
    RequestId: requestId,
  });
  return { status: error.status, contentType: 'text/xml', body };
}

function xmlDocument(service: QueryService, root: string, content: XmlStructure): string {
  return `<${root} xmlns="${QUERY_SERVICES[service].xmlns}">\n${childElements(content, 1)}</${root}>\n`;
}

/** Pretty-printed as AWS sends it: two-space indents, one element per line, a final newline. */
function element(name: string, value: XmlValue, depth: number): string {
  if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new Error(`'${name}' is not an XML element name`);
  const indent = '  '.repeat(depth);
  if (typeof value !== 'object' || value instanceof Date) return `${indent}<${name}>${escapeText(scalarText(value))}</${name}>\n`;
  const children = isList(value) ? value.map((item) => element('member', item, depth + 1)).join('') : childElements(value, depth + 1);
  return children === '' ? `${indent}<${name}/>\n` : `${indent}<${name}>\n${children}${indent}</${name}>\n`;
}

/** A structure's fields as elements in key order; an undefined field is left out, as AWS leaves out an absent member. */
function childElements(structure: XmlStructure, depth: number): string {
  return Object.entries(structure)
    .map(([name, value]) => (value === undefined ? '' : element(name, value, depth)))
    .join('');
}

function isList(value: readonly XmlValue[] | XmlStructure): value is readonly XmlValue[] {
  return Array.isArray(value);
}

function scalarText(value: string | number | boolean | Date): string {
  // AWS writes timestamps to the second: 2026-01-01T00:00:00Z.
  return value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(value);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

/** Escapes markup, keeps a carriage return through XML's line-end normalisation, and replaces what XML 1.0 cannot carry. */
function escapeText(text: string): string {
  return text.replace(/[&<>\r]|[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (char) => ESCAPES[char] ?? '\uFFFD');
}
