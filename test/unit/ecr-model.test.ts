import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBotocoreEcrModel } from '../../scripts/ecr/botocore.js';
import { renderEcrModel } from '../../scripts/ecr/render-model.js';
import { ECR_OPERATIONS, ECR_SERVICE, ECR_SHAPES } from '../../src/protocols/ecr/model/ecr-model.generated.js';
import { compilePattern } from '../../src/protocols/ecr/model/pattern.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const botocore = loadBotocoreEcrModel();

describe('generated ECR model', () => {
  it('is what the installed botocore generates', { skip: botocore ? false : 'python3 cannot import botocore' }, () => {
    const committed = readFileSync(resolve(root, 'src/protocols/ecr/model/ecr-model.generated.ts'), 'utf8');
    const regenerated = renderEcrModel(botocore!.model, botocore!.version);
    if (botocore!.version === ECR_SERVICE.botocoreVersion) {
      assert.ok(committed === regenerated, 'ecr-model.generated.ts is stale: run `npm run generate:ecr`');
    } else {
      // Another botocore than the committed file's may carry a newer model; the output must still be stable.
      assert.equal(renderEcrModel(botocore!.model, botocore!.version), regenerated);
    }
  });

  it('holds every operation with its input, output and error shapes', () => {
    assert.equal(Object.keys(ECR_OPERATIONS).length, 58);
    assert.equal(ECR_SERVICE.targetPrefix, 'AmazonEC2ContainerRegistry_V20150921');
    for (const [name, operation] of Object.entries(ECR_OPERATIONS)) {
      assert.equal(ECR_SHAPES[operation.input]?.type, 'structure', `${name} input`);
      assert.equal(ECR_SHAPES[operation.output]?.type, 'structure', `${name} output`);
      for (const error of operation.errors) {
        const shape = ECR_SHAPES[error];
        assert.ok(shape?.type === 'structure' && shape.exception, `${name} error ${error}`);
      }
      assert.match(operation.summary, /^[A-Z].*\.$/, `${name} summary`);
    }
  });

  it('refers only to shapes it defines, and every pattern compiles', () => {
    const defined = (name: string) => assert.ok(ECR_SHAPES[name], `undefined shape ${name}`);
    for (const shape of Object.values(ECR_SHAPES)) {
      if (shape.type === 'structure') Object.values(shape.members).forEach(defined);
      if (shape.type === 'list') defined(shape.member);
      if (shape.type === 'map') [shape.key, shape.value].forEach(defined);
      if (shape.type === 'string' && shape.pattern !== undefined) compilePattern(shape.pattern);
    }
  });
});
