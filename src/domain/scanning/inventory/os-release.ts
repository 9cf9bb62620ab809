import type { OperatingSystem } from './model.js';

/**
 * An os-release file (os-release(5)): `KEY=value` lines, values optionally in single or double
 * quotes with backslash escapes; comments and lines that are not assignments are ignored, as the
 * format asks of readers. `ID` defaults to "linux".
 */
export function parseOsRelease(text: string): OperatingSystem {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, unquote(match[2]!));
  }
  const codename = values.get('VERSION_CODENAME');
  const prettyName = values.get('PRETTY_NAME');
  return {
    id: (values.get('ID') || 'linux').toLowerCase(),
    versionId: values.get('VERSION_ID') ?? '',
    ...(codename && { codename }),
    ...(prettyName && { prettyName }),
  };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}
