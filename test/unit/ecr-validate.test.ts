import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DomainError, isDomainError } from '../../src/domain/errors.js';
import type { EcrOperationName } from '../../src/protocols/ecr/model/ecr-model.generated.js';
import { decodeEcrInput, javaHashSetOrder } from '../../src/protocols/ecr/model/validate.js';

function refusal(operation: EcrOperationName, body: unknown): { type: string; message: string } {
  try {
    decodeEcrInput(operation, body);
  } catch (err) {
    assert.ok(isDomainError(err, 'INVALID_PARAMETER'), String(err));
    const awsType = (err as DomainError).detail?.awsType;
    return { type: typeof awsType === 'string' ? awsType : 'InvalidParameterException', message: err.message };
  }
  assert.fail(`${operation} accepted ${JSON.stringify(body)}`);
}

const invalid = (path: string, constraint: string) => ({
  type: 'InvalidParameterException',
  message: `Invalid parameter at '${path}' failed to satisfy constraint: '${constraint}'`,
});
const serialization = (message: string) => ({ type: 'SerializationException', message });

const UPLOAD = { repositoryName: 'team/app', uploadId: '0b7e6b8a-1111-2222-3333-444455556666', partFirstByte: 0, partLastByte: 2 };

describe('ECR input validation', () => {
  it('decodes a valid input, ignoring unknown members and nulls', () => {
    const input = decodeEcrInput('DescribeRepositories', { maxResults: 10.9, repositoryNames: ['team/app', null], unknown: { deep: 1 }, nextToken: null });
    assert.deepEqual(input, { maxResults: 10, repositoryNames: ['team/app'] });
  });

  it('decodes base64 blobs to bytes', () => {
    const input = decodeEcrInput('UploadLayerPart', { ...UPLOAD, layerPartBlob: 'AAEC' });
    assert.ok(Buffer.isBuffer(input.layerPartBlob));
    assert.deepEqual([...input.layerPartBlob], [0, 1, 2]);
    assert.deepEqual(refusal('UploadLayerPart', { ...UPLOAD, layerPartBlob: 'A!EC' }), serialization('Invalid base64 data for a ByteBuffer'));
  });

  it('answers wrong JSON types with SerializationException in Coral wording', () => {
    const cases: [EcrOperationName, unknown, string][] = [
      ['CreateRepository', { repositoryName: 5 }, 'NUMBER_VALUE can not be converted to a String'],
      ['CreateRepository', { repositoryName: true }, 'TRUE_VALUE can not be converted to a String'],
      ['CreateRepository', { repositoryName: ['x'] }, 'Start of list found where not expected'],
      ['CreateRepository', { repositoryName: { a: 1 } }, 'Start of structure or map found where not expected.'],
      ['CreateRepository', { repositoryName: 'ab', tags: 'x' }, 'Expected list or null'],
      ['CreateRepository', { repositoryName: 'ab', tags: { Key: 'k' } }, 'Start of structure or map found where not expected.'],
      ['CreateRepository', { repositoryName: 'ab', imageScanningConfiguration: 'x' }, 'Expected null'],
      ['CreateRepository', { repositoryName: 'ab', imageScanningConfiguration: { scanOnPush: 'yes' } }, 'STRING_VALUE can not be converted to a Boolean'],
      ['DescribeRepositories', { maxResults: '5' }, 'STRING_VALUE can not be converted to an Integer'],
      ['DescribeRepositories', { maxResults: false }, 'FALSE_VALUE can not be converted to an Integer'],
      ['UploadLayerPart', { ...UPLOAD, partFirstByte: '0' }, 'STRING_VALUE can not be converted to a Long'],
      ['DescribeRepositories', [], 'Start of list found where not expected'],
    ];
    for (const [operation, body, message] of cases) assert.deepEqual(refusal(operation, body), serialization(message), JSON.stringify(body));
  });

  it('checks JSON types before constraints, as AWS does', () => {
    assert.deepEqual(refusal('CreateRepository', { tags: 5 }), serialization('Expected list or null'));
  });

  it('answers constraint violations with ECR InvalidParameterException messages', () => {
    const cases: [EcrOperationName, unknown, ReturnType<typeof invalid>][] = [
      ['CreateRepository', {}, invalid('repositoryName', 'must not be null')],
      ['CreateRepository', { repositoryName: 'a' }, invalid('repositoryName', 'must have length greater than or equal to 2')],
      ['CreateRepository', { repositoryName: 'a'.repeat(257) }, invalid('repositoryName', 'must have length less than or equal to 256')],
      [
        'CreateRepository',
        { repositoryName: 'Bad_Name!' },
        invalid('repositoryName', "must satisfy regular expression '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*'"),
      ],
      [
        'CreateRepository',
        { repositoryName: 'ab', imageTagMutability: 'SOMETIMES' },
        invalid('imageTagMutability', 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'),
      ],
      ['CreateRepository', { repositoryName: 'ab', tags: [{ Key: 'env', Value: 'a' }, { Value: 'b' }] }, invalid('tags.2.member.key', 'Member must not be null')],
      ['PutImageTagMutability', { repositoryName: 'ab' }, invalid('imageTagMutability', 'Member must not be null')],
      ['DescribeRepositories', { maxResults: 1001 }, invalid('maxResults', 'Member must have value less than or equal to 1000')],
      ['DescribeRepositories', { maxResults: 0 }, invalid('maxResults', 'Member must have value greater than or equal to 1')],
      ['BatchGetImage', { repositoryName: 'ab', imageIds: [] }, invalid('imageIds', 'Member must have length greater than or equal to 1')],
      [
        'BatchDeleteImage',
        { repositoryName: 'ab', imageIds: Array.from({ length: 101 }, () => ({ imageTag: 'x' })) },
        invalid('imageIds', 'Member must have length less than or equal to 100'),
      ],
      [
        'GetAuthorizationToken',
        { registryIds: ['123456789012', '12345678901'] },
        invalid('registryIds', 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'),
      ],
      [
        'PutRegistryScanningConfiguration',
        { rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: `${'a'.repeat(200)}!`, filterType: 'WILDCARD' }] }] },
        invalid('rules.1.member.repositoryFilters.1.member.filter', 'Member must satisfy regular expression pattern: ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$'),
      ],
    ];
    for (const [operation, body, expected] of cases) assert.deepEqual(refusal(operation, body), expected, `${operation} ${JSON.stringify(body).slice(0, 80)}`);
  });

  it('limits blobs by their decoded size', () => {
    const part = Buffer.alloc(20 * 1024 * 1024 + 1).toString('base64');
    assert.deepEqual(refusal('UploadLayerPart', { ...UPLOAD, layerPartBlob: part }), invalid('layerPartBlob', 'Member must have length less than or equal to 20971520'));
  });

  it('lists enum values in the order of a Java HashSet, as Coral does', () => {
    assert.deepEqual(javaHashSetOrder(['MUTABLE', 'IMMUTABLE']), ['IMMUTABLE', 'MUTABLE']);
    assert.deepEqual(javaHashSetOrder(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']), [
      'IMMUTABLE',
      'MUTABLE',
      'MUTABLE_WITH_EXCLUSION',
      'IMMUTABLE_WITH_EXCLUSION',
    ]);
  });
});
