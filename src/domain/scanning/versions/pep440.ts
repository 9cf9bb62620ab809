import { compare, parse } from '@renovatebot/pep440';
import { defineOrdering } from './ordering.js';

/** Python package versions in PEP 440's order (epochs, pre-, post- and dev-releases, local versions). */
export const pep440Ordering = defineOrdering<string>(
  'PEP 440',
  (version) => (parse(version) === null ? undefined : version),
  compare,
);
