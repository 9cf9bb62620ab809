import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECR_SHAPES } from '../../src/protocols/ecr/model/ecr-model.generated.js';
import { compilePattern } from '../../src/protocols/ecr/model/pattern.js';

function modelPattern(shapeName: string): string {
  const shape = ECR_SHAPES[shapeName];
  assert.ok(shape?.type === 'string' && shape.pattern !== undefined);
  return shape.pattern;
}

describe('model patterns', () => {
  it('match whole values, as Java matches() does', () => {
    const registryId = compilePattern(modelPattern('RegistryId'));
    assert.equal(registryId('123456789012'), true);
    assert.equal(registryId('1234567890123'), false);
    assert.equal(registryId('x123456789012'), false);
    assert.equal(registryId(''), false);
  });

  it('accept the repository names ECR accepts', () => {
    const repositoryName = compilePattern(modelPattern('RepositoryName'));
    for (const ok of ['ab', 'team/app', 'a__b', 'a--b', 'a---b', 'a.b_c/d-e']) assert.equal(repositoryName(ok), true, ok);
    for (const bad of ['Organization/repo', 'a___b', 'a_-b', '_a', 'a_', 'a//b', '/a', 'a b']) assert.equal(repositoryName(bad), false, bad);
  });

  it('handle alternation, anchors, optional groups and escapes', () => {
    const kmsKey = compilePattern(modelPattern('KmsKeyForRepositoryCreationTemplate'));
    assert.equal(kmsKey(''), true);
    assert.equal(kmsKey('arn:aws:kms:us-east-1:123456789012:key/abc-123'), true);
    assert.equal(kmsKey('arn:aws:kms:us-east-1:12345:key/abc'), false);
    const prefix = compilePattern(modelPattern('Prefix'));
    for (const ok of ['ROOT', 'team', 'team/', 'team/app']) assert.equal(prefix(ok), true, ok);
    assert.equal(prefix('Team'), false);
    const principal = compilePattern(modelPattern('PrincipalArn'));
    assert.equal(principal('arn:aws:iam::123456789012:role/path/ci-role'), true);
    assert.equal(principal('arn:aws:iam::123456789012:group/x'), false);
    const credential = compilePattern(modelPattern('CredentialArn'));
    assert.equal(credential('arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub'), true);
    assert.equal(compilePattern(modelPattern('Base64'))('a b'), false);
  });

  it('run in linear time where a backtracking engine takes minutes', () => {
    // V8's RegExp needs about 100 s for 27 characters of this; the longest allowed value is 255.
    const filter = compilePattern(modelPattern('ScanningRepositoryFilterValue'));
    const started = performance.now();
    assert.equal(filter(`${'a'.repeat(254)}!`), false);
    assert.equal(filter('prod-*/app*'), true);
    assert.ok(performance.now() - started < 200, 'matching took too long');
  });

  it('counts characters, not UTF-16 units', () => {
    assert.equal(compilePattern('.{2}')('😀😀'), true);
    assert.equal(compilePattern('[^a]')('😀'), true);
  });

  it('refuses syntax outside the supported subset', () => {
    for (const unsupported of ['a++', '(?=a)', '\\p{L}', '(a)\\1', '[a&&b]', 'a{2,1}', '*a', '(a']) {
      assert.throws(() => compilePattern(unsupported), /unsupported/, unsupported);
    }
  });
});
