/**
 * '*' (any run of characters, also none) and '?' (exactly one character) patterns, compiled once.
 *
 * No regular expression is built from policy text. A pattern is cut at its stars into segments of
 * fixed length (literal text and '?'). The first segment must match at the start, the last at the
 * end, and each middle one is taken at its leftmost match after the previous one: a star absorbs
 * anything, so the leftmost choice is never worse than a later one and nothing is ever retried.
 * Matching is therefore O(|text| x |pattern|) at worst and usually linear, whatever the pattern;
 * "a*a*a*...b" cannot blow up the way a backtracking regex does.
 */
import { type Bindings, boundValue, type Template, type VariableRef } from './variables.js';

/** A segment piece: literal text, or a count of consecutive '?'. */
type Piece = string | number;

interface Segment {
  readonly pieces: readonly Piece[];
  readonly length: number;
}

interface CompiledGlob {
  /** Without a star there is exactly one segment, which must span the whole text. */
  readonly starred: boolean;
  readonly segments: readonly Segment[];
  /** The pattern "*": skips all work. */
  readonly matchesAll: boolean;
}

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'anyChar' }
  | { readonly kind: 'star' }
  | { readonly kind: 'variable'; readonly ref: VariableRef };

export interface Glob {
  /** Compiled at parse time when the pattern has no variables. */
  readonly compiled: CompiledGlob | undefined;
  /** Kept for patterns with variables, which are compiled per request once their values are known. */
  readonly tokens: readonly Token[];
  readonly lowerCase: boolean;
}

/**
 * `lowerCase` compiles a pattern for case-insensitive matching against lower-cased text (actions).
 * Policy variables in the template are resolved per request and always match literally.
 */
export function compileGlob(template: Template, lowerCase = false): Glob {
  const tokens: Token[] = [];
  for (const part of template) {
    if (part.kind === 'variable') tokens.push({ kind: 'variable', ref: part.ref });
    else if (part.kind === 'literal') tokens.push({ kind: 'literal', text: lowerCase ? part.text.toLowerCase() : part.text });
    else {
      const text = lowerCase ? part.text.toLowerCase() : part.text;
      let runStart = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c !== '*' && c !== '?') continue;
        if (i > runStart) tokens.push({ kind: 'literal', text: text.slice(runStart, i) });
        tokens.push(c === '*' ? { kind: 'star' } : { kind: 'anyChar' });
        runStart = i + 1;
      }
      if (runStart < text.length) tokens.push({ kind: 'literal', text: text.slice(runStart) });
    }
  }
  const hasVariables = tokens.some((token) => token.kind === 'variable');
  return { compiled: hasVariables ? undefined : compileTokens(tokens), tokens, lowerCase };
}

export function globMatches(glob: Glob, text: string, bindings: Bindings): boolean {
  return matchCompiled(glob.compiled ?? compileTokens(resolveTokens(glob, bindings)), text);
}

function resolveTokens(glob: Glob, bindings: Bindings): Token[] {
  return glob.tokens.map((token) => {
    if (token.kind !== 'variable') return token;
    const value = boundValue(token.ref, bindings);
    return { kind: 'literal', text: glob.lowerCase ? value.toLowerCase() : value };
  });
}

function compileTokens(tokens: readonly Token[]): CompiledGlob {
  const segments: Segment[] = [];
  let pieces: Piece[] = [];
  let length = 0;
  let starred = false;
  const closeSegment = () => {
    segments.push({ pieces, length });
    pieces = [];
    length = 0;
  };
  for (const token of tokens) {
    if (token.kind === 'star') {
      starred = true;
      closeSegment();
      continue;
    }
    const last = pieces[pieces.length - 1];
    if (token.kind === 'anyChar') {
      if (typeof last === 'number') pieces[pieces.length - 1] = last + 1;
      else pieces.push(1);
      length += 1;
    } else if (token.kind === 'literal' && token.text.length > 0) {
      if (typeof last === 'string') pieces[pieces.length - 1] = last + token.text;
      else pieces.push(token.text);
      length += token.text.length;
    }
  }
  closeSegment();
  if (!starred) return { starred, segments, matchesAll: false };
  // Consecutive stars leave empty middle segments, which match anywhere: drop them.
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const kept = [segments[0]!, ...middle, segments[segments.length - 1]!];
  return { starred, segments: kept, matchesAll: kept.every((segment) => segment.length === 0) };
}

function matchCompiled(glob: CompiledGlob, text: string): boolean {
  if (glob.matchesAll) return true;
  const segments = glob.segments;
  const first = segments[0]!;
  if (!glob.starred) return text.length === first.length && matchesAt(first, text, 0);

  const last = segments[segments.length - 1]!;
  const suffixStart = text.length - last.length;
  if (first.length > suffixStart) return false;
  if (!matchesAt(first, text, 0) || !matchesAt(last, text, suffixStart)) return false;
  let pos = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const at = leftmostMatch(segment, text, pos, suffixStart - segment.length);
    if (at < 0) return false;
    pos = at + segment.length;
  }
  return true;
}

/** Whether the segment matches text at `at`; the caller guarantees the segment fits. */
function matchesAt(segment: Segment, text: string, at: number): boolean {
  let pos = at;
  for (const piece of segment.pieces) {
    if (typeof piece === 'number') pos += piece;
    else if (text.startsWith(piece, pos)) pos += piece.length;
    else return false;
  }
  return true;
}

/** The first start in [from, lastStart] where the (non-empty) segment matches, or -1. */
function leftmostMatch(segment: Segment, text: string, from: number, lastStart: number): number {
  const lead = segment.pieces[0]!;
  if (typeof lead === 'number') {
    for (let at = from; at <= lastStart; at++) if (matchesAt(segment, text, at)) return at;
    return -1;
  }
  // Jump between occurrences of the segment's leading literal instead of trying every position.
  for (let at = text.indexOf(lead, from); at >= 0 && at <= lastStart; at = text.indexOf(lead, at + 1)) {
    if (matchesAt(segment, text, at)) return at;
  }
  return -1;
}
