/**
 * The service model's `pattern` constraints are Java regular expressions that AWS applies with
 * `Matcher.matches()`: the whole value must match. Some are unsafe for a backtracking engine
 * (ScanningRepositoryFilterValue's `(?:[...]?[a-z0-9*]+)*` takes minutes on 27 characters in V8), so they
 * run here as a Thompson NFA, in time linear in the value's length whatever the pattern.
 *
 * Supported: literals, `.`, escapes (`\d \w \s`, their negations, `\t \n \r \f`, escaped punctuation),
 * classes with ranges and negation, groups (capturing or `(?:`), `|`, greedy or lazy `* + ? {n} {n,} {n,m}`,
 * `^` and `$`. Anything else (possessive quantifiers, lookaround, `\p{..}`, backreferences, class
 * intersections) is refused when the pattern is compiled, so the generator rejects a model that uses it.
 */

/** A compiled model pattern: true when the whole value matches. */
export type PatternMatcher = (value: string) => boolean;

type CharTest = (codePoint: number) => boolean;

type Node =
  | { kind: 'char'; test: CharTest }
  | { kind: 'sequence'; items: Node[] }
  | { kind: 'alternation'; options: Node[] }
  | { kind: 'repeat'; item: Node; min: number; max: number }
  | { kind: 'assert'; at: 'start' | 'end' };

type Instruction =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; to: [number, number] }
  | { op: 'jump'; to: number }
  | { op: 'assert'; at: 'start' | 'end' }
  | { op: 'match' };

const isDigit: CharTest = (c) => c >= 0x30 && c <= 0x39;
const isWord: CharTest = (c) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
// Java's \s: [ \t\n\x0B\f\r].
const isSpace: CharTest = (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
// Java's `.` without DOTALL stops at line terminators.
const notLineTerminator: CharTest = (c) => c !== 0x0a && c !== 0x0d && c !== 0x85 && c !== 0x2028 && c !== 0x2029;

const CLASS_ESCAPES: Record<string, CharTest> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  w: isWord,
  W: (c) => !isWord(c),
  s: isSpace,
  S: (c) => !isSpace(c),
};
const CONTROL_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c };

class PatternParser {
  #at = 0;

  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.#alternation();
    if (this.#at < this.source.length) throw this.#unsupported(`unexpected '${this.source[this.#at]}'`);
    return node;
  }

  #alternation(): Node {
    const options = [this.#sequence()];
    while (this.#peek() === '|') {
      this.#at++;
      options.push(this.#sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alternation', options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    while (this.#at < this.source.length && this.#peek() !== '|' && this.#peek() !== ')') items.push(this.#quantified());
    return { kind: 'sequence', items };
  }

  #quantified(): Node {
    const item = this.#atom();
    const bounds = this.#quantifier();
    if (!bounds) return item;
    // A lazy quantifier matches the same set of strings; a possessive one does not, and is refused.
    if (this.#peek() === '?') this.#at++;
    else if (this.#peek() === '+') throw this.#unsupported('possessive quantifier');
    if (item.kind === 'assert') throw this.#unsupported('quantified anchor');
    return { kind: 'repeat', item, ...bounds };
  }

  #quantifier(): { min: number; max: number } | undefined {
    const c = this.#peek();
    if (c === '*') return this.#advance({ min: 0, max: Infinity });
    if (c === '+') return this.#advance({ min: 1, max: Infinity });
    if (c === '?') return this.#advance({ min: 0, max: 1 });
    if (c !== '{') return undefined;
    const bounds = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.#at));
    if (!bounds) throw this.#unsupported("'{' that is not a quantifier");
    this.#at += bounds[0].length;
    const min = Number(bounds[1]);
    const max = bounds[2] === undefined ? min : bounds[3] === '' ? Infinity : Number(bounds[3]);
    if (max < min) throw this.#unsupported(`quantifier {${min},${max}}`);
    return { min, max };
  }

  #atom(): Node {
    const c = this.source[this.#at++];
    switch (c) {
      case '(': {
        if (this.#peek() === '?') {
          if (this.source[this.#at + 1] !== ':') throw this.#unsupported('group construct (?');
          this.#at += 2;
        }
        const inner = this.#alternation();
        if (this.source[this.#at++] !== ')') throw this.#unsupported('unclosed group');
        return inner;
      }
      case '[':
        return { kind: 'char', test: this.#characterClass() };
      case '.':
        return { kind: 'char', test: notLineTerminator };
      case '^':
        return { kind: 'assert', at: 'start' };
      case '$':
        return { kind: 'assert', at: 'end' };
      case '\\': {
        const escape = this.#escape();
        return { kind: 'char', test: typeof escape === 'number' ? (x) => x === escape : escape };
      }
      case '*':
      case '+':
      case '?':
      case '{':
        throw this.#unsupported(`'${c}' with nothing to repeat`);
      default: {
        const codePoint = this.source.codePointAt(this.#at - 1)!;
        if (codePoint > 0xffff) this.#at++;
        return { kind: 'char', test: (x) => x === codePoint };
      }
    }
  }

  /** After a backslash: a class escape, or the code point an escaped literal stands for. */
  #escape(): CharTest | number {
    const c = this.source[this.#at++];
    if (c === undefined) throw this.#unsupported('trailing backslash');
    const test = CLASS_ESCAPES[c];
    if (test) return test;
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (/[A-Za-z0-9]/.test(c)) throw this.#unsupported(`escape \\${c}`);
    return c.charCodeAt(0);
  }

  #characterClass(): CharTest {
    const negated = this.#peek() === '^';
    if (negated) this.#at++;
    const tests: CharTest[] = [];
    while (this.#peek() !== ']') {
      const c = this.source[this.#at++];
      if (c === undefined) throw this.#unsupported('unclosed character class');
      if (c === '[' || (c === '&' && this.#peek() === '&')) throw this.#unsupported('nested class or intersection');
      const low = c === '\\' ? this.#escape() : this.source.codePointAt(this.#at - 1)!;
      if (typeof low === 'number' && low > 0xffff) this.#at++;
      if (typeof low === 'number' && this.#peek() === '-' && this.source[this.#at + 1] !== ']' && this.#at + 1 < this.source.length) {
        this.#at++;
        const d = this.source[this.#at++]!;
        const high = d === '\\' ? this.#escape() : this.source.codePointAt(this.#at - 1)!;
        if (typeof high !== 'number') throw this.#unsupported('range ending in a class escape');
        if (high > 0xffff) this.#at++;
        if (high < low) throw this.#unsupported('reversed range');
        tests.push((x) => x >= low && x <= high);
      } else {
        tests.push(typeof low === 'number' ? (x) => x === low : low);
      }
    }
    this.#at++;
    return negated ? (x) => !tests.some((t) => t(x)) : (x) => tests.some((t) => t(x));
  }

  #peek(): string | undefined {
    return this.source[this.#at];
  }

  #advance<T>(value: T): T {
    this.#at++;
    return value;
  }

  #unsupported(what: string): Error {
    return new Error(`pattern ${JSON.stringify(this.source)}: unsupported ${what} at offset ${this.#at}`);
  }
}

/** Lays a node out as NFA instructions (Thompson's construction); repeats are unrolled. */
function emit(node: Node, program: Instruction[]): void {
  switch (node.kind) {
    case 'char':
      program.push({ op: 'char', test: node.test });
      return;
    case 'assert':
      program.push({ op: 'assert', at: node.at });
      return;
    case 'sequence':
      for (const item of node.items) emit(item, program);
      return;
    case 'alternation': {
      const jumps: { op: 'jump'; to: number }[] = [];
      node.options.forEach((option, i) => {
        if (i === node.options.length - 1) return emit(option, program);
        const split: { op: 'split'; to: [number, number] } = { op: 'split', to: [program.length + 1, 0] };
        program.push(split);
        emit(option, program);
        const jump = { op: 'jump' as const, to: 0 };
        jumps.push(jump);
        program.push(jump);
        split.to[1] = program.length;
      });
      for (const jump of jumps) jump.to = program.length;
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i++) emit(node.item, program);
      if (node.max === Infinity) {
        const loop: { op: 'split'; to: [number, number] } = { op: 'split', to: [program.length + 1, 0] };
        program.push(loop);
        const start = program.length - 1;
        emit(node.item, program);
        program.push({ op: 'jump', to: start });
        loop.to[1] = program.length;
        return;
      }
      const skips: { op: 'split'; to: [number, number] }[] = [];
      for (let i = node.min; i < node.max; i++) {
        const optional: { op: 'split'; to: [number, number] } = { op: 'split', to: [program.length + 1, 0] };
        skips.push(optional);
        program.push(optional);
        emit(node.item, program);
      }
      for (const skip of skips) skip.to[1] = program.length;
      return;
    }
  }
}

/** Compiles a model pattern once; throws for syntax outside the supported subset. */
export function compilePattern(source: string): PatternMatcher {
  const program: Instruction[] = [];
  emit(new PatternParser(source).parse(), program);
  program.push({ op: 'match' });
  const size = program.length;

  return (value) => {
    // Each step keeps the set of instructions waiting for the next character; `seen` stamps an
    // instruction with the step that added it, so each is visited at most once per character.
    const seen = new Uint32Array(size);
    let current: number[] = [];
    let next: number[] = [];
    let step = 1;
    const pending: number[] = [];

    const add = (list: number[], start: number, position: number) => {
      pending.push(start);
      while (pending.length > 0) {
        const pc = pending.pop()!;
        if (seen[pc] === step) continue;
        seen[pc] = step;
        const instruction = program[pc]!;
        switch (instruction.op) {
          case 'jump':
            pending.push(instruction.to);
            break;
          case 'split':
            pending.push(instruction.to[1], instruction.to[0]);
            break;
          case 'assert':
            if (instruction.at === 'start' ? position === 0 : position === value.length) pending.push(pc + 1);
            break;
          default:
            list.push(pc);
        }
      }
    };

    add(current, 0, 0);
    for (let position = 0; position < value.length && current.length > 0; ) {
      const codePoint = value.codePointAt(position)!;
      position += codePoint > 0xffff ? 2 : 1;
      step++;
      next.length = 0;
      for (const pc of current) {
        const instruction = program[pc]!;
        if (instruction.op === 'char' && instruction.test(codePoint)) add(next, pc + 1, position);
      }
      [current, next] = [next, current];
      if (position === value.length) return current.some((pc) => program[pc]!.op === 'match');
    }
    return value.length === 0 && current.some((pc) => program[pc]!.op === 'match');
  };
}
