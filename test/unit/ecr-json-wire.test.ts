import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import { isEcrContentType, operationForTarget, parseJsonBody, serializeShape } from '../../src/protocols/ecr/json-wire.js';
import type { ImageScanFindingsSummary } from '../../src/protocols/ecr/model/ecr-model.generated.js';

describe('ECR JSON 1.1 wire', () => {
  it('serializes outputs per shape: epoch seconds, maps, no undefined or undeclared members', () => {
    const summary: ImageScanFindingsSummary & { internal: string } = {
      imageScanCompletedAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      vulnerabilitySourceUpdatedAt: undefined,
      findingSeverityCounts: { HIGH: 2, LOW: 0 },
      internal: 'not for the wire',
    };
    assert.equal(
      JSON.stringify(serializeShape('ImageScanFindingsSummary', summary)),
      '{"imageScanCompletedAt":1704164645.678,"findingSeverityCounts":{"HIGH":2,"LOW":0}}',
    );
  });

  it('serializes bytes as base64, respecting views into larger buffers', () => {
    const bytes = Buffer.from([0xff, 0, 1, 2, 0xff]).subarray(1, 4);
    assert.equal(serializeShape('LayerPartBlob', bytes), 'AAEC');
  });

  it('reads bodies and headers as AWS does', () => {
    assert.deepEqual(parseJsonBody(Buffer.alloc(0)), {});
    assert.throws(() => parseJsonBody(Buffer.from('{"a":')), (err) => isDomainError(err, 'INVALID_PARAMETER') && err.detail?.awsType === 'SerializationException');
    assert.equal(isEcrContentType('application/x-amz-json-1.1; charset=utf-8'), true);
    assert.equal(isEcrContentType('application/json'), false);
    assert.equal(operationForTarget('AmazonEC2ContainerRegistry_V20150921.PutImage'), 'PutImage');
    assert.equal(operationForTarget('AmazonEC2ContainerRegistry_V20150921.hasOwnProperty'), undefined);
  });
});
