/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}` (with a default), and the
 * escapes `${*}`, `${?}`, `${$}` for a literal '*', '?' or '$'. Only documents with Version
 * "2012-10-17" have variables; in older ones the text is taken as written, as AWS does.
 *
 * A value is parsed once into parts. A substituted value is always literal text: a '*' in a user
 * name never becomes a wildcard.
 */
import { type ContextLookup, contextScalarText, isMultiValued } from './context.js';
import { invalid } from './syntax.js';

export interface VariableRef {
  /** The condition key, lower-cased (key names are case-insensitive). */
  readonly key: string;
  /** Used when the request does not carry the key; without one the statement does not apply. */
  readonly fallback: string | undefined;
}

export type TemplatePart =
  /** Policy text; '*' and '?' in it are wildcards where the element allows them. */
  | { readonly kind: 'text'; readonly text: string }
  /** A character escaped with ${*}, ${?} or ${$}: never a wildcard. */
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'variable'; readonly ref: VariableRef };

export type Template = readonly TemplatePart[];

/** Each variable of a statement resolved for one request. */
export type Bindings = ReadonlyMap<VariableRef, string>;

export const NO_BINDINGS: Bindings = new Map();

const ESCAPED = new Set(['*', '?', '$']);
const KEY = /^[^\s${}',]+$/;

export function parseTemplate(raw: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !raw.includes('${')) return [{ kind: 'text', text: raw }];
  const parts: TemplatePart[] = [];
  let pos = 0;
  for (;;) {
    const start = raw.indexOf('${', pos);
    if (start < 0) break;
    if (start > pos) parts.push({ kind: 'text', text: raw.slice(pos, start) });
    const parsed = parseVariable(raw, start);
    parts.push(parsed.part);
    pos = parsed.end;
  }
  if (pos < raw.length) parts.push({ kind: 'text', text: raw.slice(pos) });
  return parts;
}

/** Parses the variable starting at `start` (at its "${"); returns the part and the index after its "}". */
function parseVariable(raw: string, start: number): { part: TemplatePart; end: number } {
  const unterminated = () => invalid(`unterminated policy variable in '${raw}'`);
  let pos = start + 2;
  const keyEnd = firstOf(raw, pos, ',}');
  if (keyEnd < 0) unterminated();
  const key = raw.slice(pos, keyEnd).trim();
  pos = keyEnd;
  if (raw[pos] === '}' && ESCAPED.has(key)) return { part: { kind: 'literal', text: key }, end: pos + 1 };
  if (!KEY.test(key)) invalid(`invalid policy variable name '${key}' in '${raw}'`);

  let fallback: string | undefined;
  if (raw[pos] === ',') {
    pos = skipSpaces(raw, pos + 1);
    if (raw[pos] !== "'") invalid(`the default of a policy variable must be in single quotes in '${raw}'`);
    fallback = '';
    pos++;
    for (;;) {
      const quote = raw.indexOf("'", pos);
      if (quote < 0) unterminated();
      fallback += raw.slice(pos, quote);
      if (raw[quote + 1] !== "'") {
        pos = quote + 1;
        break;
      }
      fallback += "'"; // '' stands for one quote
      pos = quote + 2;
    }
    pos = skipSpaces(raw, pos);
    if (raw[pos] !== '}') unterminated();
  }
  return { part: { kind: 'variable', ref: { key: key.toLowerCase(), fallback } }, end: pos + 1 };
}

function firstOf(text: string, from: number, chars: string): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return -1;
}

function skipSpaces(text: string, pos: number): number {
  while (text[pos] === ' ') pos++;
  return pos;
}

export function templateVariables(template: Template): VariableRef[] {
  return template.flatMap((part) => (part.kind === 'variable' ? [part.ref] : []));
}

/**
 * Resolves a statement's variables for one request, or returns undefined when one cannot be resolved
 * (the key is absent or multi-valued, and there is no default): AWS then treats the statement as not
 * applying to the request.
 */
export function bindVariables(refs: readonly VariableRef[], lookup: ContextLookup): Bindings | undefined {
  if (refs.length === 0) return NO_BINDINGS;
  const bindings = new Map<VariableRef, string>();
  for (const ref of refs) {
    const value = lookup(ref.key);
    if (value !== undefined && !isMultiValued(value)) bindings.set(ref, contextScalarText(value));
    else if (ref.fallback !== undefined) bindings.set(ref, ref.fallback);
    else return undefined;
  }
  return bindings;
}

/** The template as plain text for this request (for the operators without wildcards). */
export function resolveTemplate(template: Template, bindings: Bindings): string {
  let text = '';
  for (const part of template) text += part.kind === 'variable' ? boundValue(part.ref, bindings) : part.text;
  return text;
}

/** bindVariables bound every variable of the statement before any of its templates is resolved. */
export function boundValue(ref: VariableRef, bindings: Bindings): string {
  const value = bindings.get(ref);
  if (value === undefined) throw new Error('policy variable resolved before its statement was bound');
  return value;
}
