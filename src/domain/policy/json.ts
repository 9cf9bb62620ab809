/**
 * A strict JSON reader for policy documents. JSON.parse silently keeps the last of two equal keys,
 * so `"Condition": {"StringEquals": {...}, "StringEquals": {...}}` would drop a restriction without a
 * word; this reader rejects duplicate keys, reports line and column, and returns objects as Maps so
 * no key (`__proto__` included) has special meaning.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

export type JsonResult = { ok: true; value: JsonValue } | { ok: false; reason: string };

/** Real policies nest four or five levels; the bound keeps recursion far from the stack limit. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export function readJson(text: string): JsonResult {
  const reader = new Reader(text);
  try {
    const value = reader.document();
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const before = text.slice(0, err.position);
    const line = before.split('\n').length;
    const column = err.position - before.lastIndexOf('\n');
    return { ok: false, reason: `JSON syntax error at line ${line}, column ${column}: ${err.message}` };
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): JsonValue {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected content after the end of the document');
    return value;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.keyword('true', true);
      case 'f':
        return this.keyword('false', false);
      case 'n':
        return this.keyword('null', null);
      case undefined:
        return this.fail('unexpected end of input, expected a value');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}, expected a value`);
    }
  }

  private object(depth: number): Map<string, JsonValue> {
    const result = new Map<string, JsonValue>();
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail(this.pos < this.text.length ? 'expected a string key' : 'unexpected end of input, expected a string key');
      const keyPosition = this.pos;
      const key = this.string();
      if (result.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyPosition);
      this.skipWhitespace();
      this.expect(':');
      result.set(key, this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private array(depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++; // '['
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let result = '';
    let runStart = this.pos;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('unterminated string', start);
      if (code === 0x22) break; // closing quote
      if (code < 0x20) this.fail('control character in string');
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      result += this.text.slice(runStart, this.pos);
      const escape = this.text[this.pos + 1];
      if (escape === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
        result += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const replacement = escape === undefined ? undefined : ESCAPES[escape];
        if (replacement === undefined) this.fail('invalid escape sequence');
        result += replacement;
        this.pos += 2;
      }
      runStart = this.pos;
    }
    result += this.text.slice(runStart, this.pos);
    this.pos++; // closing quote
    return result;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('invalid number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private keyword<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token, expected ${word}`);
    this.pos += word.length;
    return value;
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) {
      const found = this.text[this.pos];
      this.fail(found === undefined ? `unexpected end of input, expected '${c}'` : `expected '${c}' but found ${JSON.stringify(found)}`);
    }
    this.pos++;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  private fail(message: string, position = this.pos): never {
    throw new JsonSyntaxError(message, position);
  }
}
