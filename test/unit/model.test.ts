import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import { Digest } from '../../src/domain/model/digest.js';
import { parseReference, parseTag } from '../../src/domain/model/reference.js';
import { parseRepositoryName } from '../../src/domain/model/repository-name.js';

describe('value objects', () => {
  it('parses digests strictly', () => {
    const hex = 'a'.repeat(64);
    assert.equal(Digest.parse(`sha256:${hex}`).toString(), `sha256:${hex}`);
    assert.equal(Digest.parse(`sha512:${'b'.repeat(128)}`).algorithm, 'sha512');
    for (const bad of [`sha256:${hex}0`, `sha256:${'A'.repeat(64)}`, `sha384:${hex}`, `sha512:${hex}`, hex, '']) {
      assert.throws(() => Digest.parse(bad), (err) => isDomainError(err, 'DIGEST_INVALID'), bad);
    }
  });

  it('accepts ECR repository names and rejects everything else', () => {
    for (const ok of ['ab', 'team/app', 'a.b_c__d---e/f', 'x'.repeat(256)]) assert.equal(parseRepositoryName(ok), ok);
    for (const bad of ['a', 'A/b', '/abs', 'a/', '../etc', 'a/../b', 'a//b', 'a_', '-a', 'x'.repeat(257), 'a b']) {
      assert.throws(() => parseRepositoryName(bad), (err) => isDomainError(err, 'NAME_INVALID'), bad);
    }
  });

  it('tells tags from digests', () => {
    assert.equal(parseReference('latest').kind, 'tag');
    assert.equal(parseReference(`sha256:${'c'.repeat(64)}`).kind, 'digest');
    assert.equal(parseTag('_x.Y-1'), '_x.Y-1');
    assert.equal(parseTag('t'.repeat(300)).length, 300);
    assert.throws(() => parseTag('t'.repeat(301)), (err) => isDomainError(err, 'TAG_INVALID'));
    assert.throws(() => parseReference('sha256:short'), (err) => isDomainError(err, 'DIGEST_INVALID'));
  });
});
