/** `npm run docs:ecr-api`: regenerates docs/ecr-api.md from the ECR model and the handler table. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEcrApiDoc } from './ecr/render-docs.js';

const target = fileURLToPath(new URL('../../docs/ecr-api.md', import.meta.url));
writeFileSync(target, renderEcrApiDoc());
console.log(`generate-ecr-docs: wrote ${target}`);
