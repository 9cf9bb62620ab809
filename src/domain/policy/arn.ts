/**
 * ARN patterns for Resource/NotResource and the Arn condition operators. As in AWS, each of the six
 * colon-separated components (arn:partition:service:region:account:resource) is matched on its own,
 * case-sensitively, so a wildcard never spans a component boundary; the last component keeps any
 * further colons. A pattern with fewer than six components (such as "*") is matched against the
 * whole ARN.
 */
import type { Bindings, Template, TemplatePart } from './variables.js';
import { compileGlob, type Glob, globMatches } from './wildcard.js';

const COMPONENTS = 6;

export type ArnPattern =
  | { readonly kind: 'components'; readonly components: readonly Glob[] }
  | { readonly kind: 'whole'; readonly glob: Glob };

/** An ARN split into its six components, or undefined when the text is not shaped like an ARN. */
export type ArnComponents = readonly string[] | undefined;

export function compileArnPattern(template: Template): ArnPattern {
  const components: TemplatePart[][] = [[]];
  for (const part of template) {
    if (part.kind !== 'text') {
      components[components.length - 1]!.push(part);
      continue;
    }
    let rest = part.text;
    let colon = rest.indexOf(':');
    while (colon >= 0 && components.length < COMPONENTS) {
      components[components.length - 1]!.push({ kind: 'text', text: rest.slice(0, colon) });
      components.push([]);
      rest = rest.slice(colon + 1);
      colon = rest.indexOf(':');
    }
    components[components.length - 1]!.push({ kind: 'text', text: rest });
  }
  if (components.length < COMPONENTS) return { kind: 'whole', glob: compileGlob(template) };
  return { kind: 'components', components: components.map((component) => compileGlob(component)) };
}

export function splitArn(arn: string): ArnComponents {
  const components: string[] = [];
  let start = 0;
  for (let i = 0; i < COMPONENTS - 1; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    components.push(arn.slice(start, colon));
    start = colon + 1;
  }
  components.push(arn.slice(start));
  return components;
}

/** `components` is splitArn(arn), passed in so a request's resource ARN is split once. */
export function arnMatches(pattern: ArnPattern, arn: string, components: ArnComponents, bindings: Bindings): boolean {
  if (pattern.kind === 'whole') return globMatches(pattern.glob, arn, bindings);
  if (components === undefined) return false;
  return pattern.components.every((glob, i) => globMatches(glob, components[i]!, bindings));
}
