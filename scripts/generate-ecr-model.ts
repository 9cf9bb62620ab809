/** `npm run generate:ecr`: regenerates src/protocols/ecr/model/ecr-model.generated.ts from botocore's ECR model. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBotocoreEcrModel } from './ecr/botocore.js';
import { renderEcrModel } from './ecr/render-model.js';

const target = fileURLToPath(new URL('../../src/protocols/ecr/model/ecr-model.generated.ts', import.meta.url));

const loaded = loadBotocoreEcrModel();
if (!loaded) {
  console.error('generate-ecr-model: python3 cannot import botocore; install it (pip install botocore) and run again');
  process.exit(1);
}
writeFileSync(target, renderEcrModel(loaded.model, loaded.version));
console.log(`generate-ecr-model: wrote ${target} from botocore ${loaded.version}`);
