/**
 * Renders src/protocols/ecr/model/ecr-model.generated.ts from botocore's ECR model: TypeScript types for
 * every shape an operation uses, the runtime shape table, and the operation table. The output depends
 * only on the model, so regenerating an unchanged model gives the same bytes.
 */
import { compilePattern } from '../../src/protocols/ecr/model/pattern.js';
import type { BotocoreModel, BotocoreShape } from './botocore.js';

const NUMBER_TYPES = new Set(['integer', 'long', 'float', 'double']);
const SCALAR_TYPES = new Set(['string', 'boolean', 'timestamp', 'blob', ...NUMBER_TYPES]);
const MAX_LINE = 140;

function tsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function tsKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : tsString(name);
}

/** Plain text of the first sentence of a model documentation string (HTML). */
function firstSentence(html: string): string {
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  // A sentence ends at . ! or ? before a capital or the end, so "e.g. the" does not end one.
  return /^.*?[.!?](?=\s+[A-Z]|$)/.exec(text)?.[0] ?? text;
}

/** The shapes operations reach through inputs, outputs and errors, in name order. */
function usedShapes(model: BotocoreModel): string[] {
  const used = new Set<string>();
  const visit = (name: string) => {
    if (used.has(name)) return;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`the model refers to shape ${name}, which it does not define`);
    used.add(name);
    for (const member of Object.values(shape.members ?? {})) visit(member.shape);
    for (const reference of [shape.member, shape.key, shape.value]) if (reference) visit(reference.shape);
  };
  for (const [name, operation] of Object.entries(model.operations)) {
    if (!operation.input || !operation.output) throw new Error(`operation ${name} has no input or output shape`);
    visit(operation.input.shape);
    visit(operation.output.shape);
    for (const error of operation.errors ?? []) visit(error.shape);
  }
  return [...used].sort();
}

function checkSupported(name: string, shape: BotocoreShape): void {
  if (shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map' && !SCALAR_TYPES.has(shape.type)) {
    throw new Error(`shape ${name} has type ${shape.type}, which the generator does not know`);
  }
  if (shape.pattern !== undefined) compilePattern(shape.pattern);
}

class TypeRenderer {
  constructor(private readonly shapes: Record<string, BotocoreShape>) {}

  /** The TypeScript type of a value of the shape; structures and enums by their own name. */
  typeOf(name: string): string {
    const shape = this.shapes[name]!;
    switch (shape.type) {
      case 'structure':
        return name;
      case 'string':
        return shape.enum ? name : 'string';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'Date';
      case 'blob':
        return 'Uint8Array';
      case 'list':
        return `${this.typeOf(shape.member!.shape)}[]`;
      case 'map': {
        const key = shape.key!.shape;
        const value = this.typeOf(shape.value!.shape);
        return this.shapes[key]!.enum ? `Partial<Record<${key}, ${value}>>` : `Record<string, ${value}>`;
      }
      default:
        return 'number';
    }
  }

  declaration(name: string): string | undefined {
    const shape = this.shapes[name]!;
    if (shape.type === 'string' && shape.enum) {
      const line = `export type ${name} = ${shape.enum.map(tsString).join(' | ')};`;
      return line.length <= MAX_LINE ? line : `export type ${name} =\n${shape.enum.map((value) => `  | ${tsString(value)}`).join('\n')};`;
    }
    if (shape.type !== 'structure') return undefined;
    const required = new Set(shape.required ?? []);
    const members = Object.entries(shape.members ?? {}).map(
      ([member, reference]) => `  ${tsKey(member)}${required.has(member) ? '' : '?'}: ${this.typeOf(reference.shape)};\n`,
    );
    return `export interface ${name} {${members.length > 0 ? `\n${members.join('')}` : ''}}`;
  }
}

function bounds(shape: BotocoreShape): string[] {
  return [...(shape.min !== undefined ? [`min: ${shape.min}`] : []), ...(shape.max !== undefined ? [`max: ${shape.max}`] : [])];
}

/** A field of a runtime table entry; lists and records may spread over lines. */
type Field = string | { name: string; open: string; items: string[]; close: string };

function fieldOnOneLine(field: Field): string {
  if (typeof field === 'string') return field;
  const inner = field.items.join(', ');
  return `${field.name}: ${field.open}${field.open === '{' && inner ? ` ${inner} ` : inner}${field.close}`;
}

function fieldOnLines(field: Field): string {
  if (typeof field === 'string' || field.items.length === 0) return `    ${fieldOnOneLine(field)},\n`;
  return `    ${field.name}: ${field.open}\n${field.items.map((item) => `      ${item},\n`).join('')}    ${field.close},\n`;
}

/** One shape's entry in the runtime table; on one line when it fits, else one field (and item) a line. */
function runtimeSpec(name: string, shape: BotocoreShape): string {
  const fields: Field[] = [`type: ${tsString(shape.type)}`];
  switch (shape.type) {
    case 'structure':
      if (shape.required?.length) fields.push(`required: [${shape.required.map(tsString).join(', ')}]`);
      if (shape.exception) fields.push('exception: true');
      if (shape.fault) fields.push('fault: true');
      if (shape.error?.httpStatusCode !== undefined) fields.push(`status: ${shape.error.httpStatusCode}`);
      fields.push({
        name: 'members',
        open: '{',
        items: Object.entries(shape.members ?? {}).map(([member, reference]) => `${tsKey(member)}: ${tsString(reference.shape)}`),
        close: '}',
      });
      break;
    case 'list':
      fields.push(`member: ${tsString(shape.member!.shape)}`, ...bounds(shape));
      break;
    case 'map':
      fields.push(`key: ${tsString(shape.key!.shape)}`, `value: ${tsString(shape.value!.shape)}`, ...bounds(shape));
      break;
    case 'string':
      fields.push(...bounds(shape));
      if (shape.pattern !== undefined) fields.push(`pattern: ${tsString(shape.pattern)}`);
      if (shape.enum) fields.push({ name: 'enum', open: '[', items: shape.enum.map(tsString), close: ']' });
      break;
    case 'boolean':
    case 'timestamp':
      break;
    default:
      fields.push(...bounds(shape));
  }
  const line = `  ${tsKey(name)}: { ${fields.map(fieldOnOneLine).join(', ')} },\n`;
  return line.length <= MAX_LINE ? line : `  ${tsKey(name)}: {\n${fields.map(fieldOnLines).join('')}  },\n`;
}

export function renderEcrModel(model: BotocoreModel, botocoreVersion: string): string {
  const { metadata } = model;
  if (metadata.protocol !== 'json') throw new Error(`the model speaks ${metadata.protocol}, not json`);
  const shapeNames = usedShapes(model);
  for (const name of shapeNames) checkSupported(name, model.shapes[name]!);
  const operations = Object.keys(model.operations).sort();
  const types = new TypeRenderer(model.shapes);
  const errorShapes = shapeNames.filter((name) => model.shapes[name]!.exception);

  const declarations = shapeNames.flatMap((name) => types.declaration(name) ?? []);
  const operationTypes = operations.map((name) => {
    const operation = model.operations[name]!;
    const line = `  ${name}: { input: ${operation.input!.shape}; output: ${operation.output!.shape} };\n`;
    return line.length <= MAX_LINE ? line : `  ${name}: {\n    input: ${operation.input!.shape};\n    output: ${operation.output!.shape};\n  };\n`;
  });
  const operationSpecs = operations.map((name) => {
    const operation = model.operations[name]!;
    const errors = (operation.errors ?? []).map((error) => tsString(error.shape));
    const errorsLine = `    errors: [${errors.join(', ')}],\n`;
    return (
      `  ${name}: {\n` +
      `    input: ${tsString(operation.input!.shape)},\n` +
      `    output: ${tsString(operation.output!.shape)},\n` +
      (errorsLine.length <= MAX_LINE ? errorsLine : `    errors: [\n${errors.map((error) => `      ${error},\n`).join('')}    ],\n`) +
      `    summary: ${tsString(firstSentence(operation.documentation ?? ''))},\n` +
      `  },\n`
    );
  });
  const shapeSpecs = shapeNames.map((name) => runtimeSpec(name, model.shapes[name]!));

  return `// Generated by scripts/generate-ecr-model.ts from the ECR service model in botocore ${botocoreVersion}
// (botocore/data/ecr/${metadata.apiVersion}/service-2.json.gz). Do not edit: run \`npm run generate:ecr\`.
import type { OperationSpec, ServiceSpec, ShapeSpec } from './shape-spec.js';

export const ECR_SERVICE: ServiceSpec = {
  apiVersion: ${tsString(metadata.apiVersion)},
  targetPrefix: ${tsString(metadata.targetPrefix)},
  jsonVersion: ${tsString(metadata.jsonVersion)},
  botocoreVersion: ${tsString(botocoreVersion)},
};

// Shapes as TypeScript types. Timestamps are Dates (epoch seconds on the wire), blobs bytes (base64 on the wire).

${declarations.join('\n\n')}

/** The error shapes any operation may answer with. */
export type EcrErrorShapeName =
${errorShapes.map((name) => `  | ${tsString(name)}`).join('\n')};

export interface EcrOperations {
${operationTypes.join('')}}

export type EcrOperationName = keyof EcrOperations;
export type EcrInput<Op extends EcrOperationName> = EcrOperations[Op]['input'];
export type EcrOutput<Op extends EcrOperationName> = EcrOperations[Op]['output'];

export const ECR_OPERATIONS: { readonly [Op in EcrOperationName]: OperationSpec } = {
${operationSpecs.join('')}};

export const ECR_SHAPES: Readonly<Record<string, ShapeSpec>> = {
${shapeSpecs.join('')}};
`;
}
