/** One paragraph of `Field: value` lines, keyed by lower-case field name; continuation lines are joined with "\n". */
export type ControlFields = Map<string, string>;

const FIELD_LINE = /^([^\s:][^:]*):[ \t]*(.*)$/;

/**
 * The paragraphs of a control-style text (dpkg's status database, Python's core metadata headers):
 * blank lines separate paragraphs, lines starting with a space or tab continue the previous field.
 * Throws a SyntaxError naming the line when a line is neither.
 */
export function* controlParagraphs(text: string): Generator<ControlFields> {
  let fields: ControlFields = new Map();
  let field: string | undefined;
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') {
      if (fields.size > 0) yield fields;
      fields = new Map();
      field = undefined;
    } else if (line[0] === ' ' || line[0] === '\t') {
      if (field === undefined) throw new SyntaxError(`line ${index + 1} continues a field, but no field precedes it`);
      fields.set(field, `${fields.get(field)}\n${line.trim()}`);
    } else {
      const match = FIELD_LINE.exec(line);
      if (!match) throw new SyntaxError(`line ${index + 1} is not a "Field: value" line`);
      field = match[1]!.toLowerCase();
      fields.set(field, match[2]!.trimEnd());
    }
  }
  if (fields.size > 0) yield fields;
}

/** The header paragraph only (core metadata has a free-form body after it). */
export function firstControlParagraph(text: string): ControlFields {
  const headerEnd = text.search(/\r?\n\r?\n/);
  for (const fields of controlParagraphs(headerEnd === -1 ? text : text.slice(0, headerEnd))) return fields;
  return new Map();
}
