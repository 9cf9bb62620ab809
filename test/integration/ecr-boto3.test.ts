/**
 * The ECR API from Python's boto3: one scenario script pushes an image with the layer operations and
 * PutImage, lists, describes, gets, downloads and deletes it, sets and removes a repository policy
 * and tags, and provokes ECR's error codes; it prints what it saw as JSON for the assertions here.
 * The wire is the same whatever the metadata store, so this runs on SQLite only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { boto3, boto3Unavailable } from '../support/aws-cli.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { describeRun } from '../support/tools.js';

const SCENARIO = String.raw`
import hashlib, json, os, urllib.error, urllib.request
import boto3
from botocore.exceptions import ClientError

ecr = boto3.client('ecr', endpoint_url=os.environ['ENDPOINT'])
name = 'boto/app'
out = {'errors': {}}

def sha256(data):
    return 'sha256:' + hashlib.sha256(data).hexdigest()

def error_code(label, call, **kwargs):
    try:
        call(**kwargs)
        out['errors'][label] = None
    except ClientError as err:
        out['errors'][label] = err.response['Error']['Code']

def upload(data, part_size):
    upload_id = ecr.initiate_layer_upload(repositoryName=name)['uploadId']
    for first in range(0, len(data), part_size):
        part = data[first:first + part_size]
        ecr.upload_layer_part(repositoryName=name, uploadId=upload_id, partFirstByte=first, partLastByte=first + len(part) - 1, layerPartBlob=part)
    return ecr.complete_layer_upload(repositoryName=name, uploadId=upload_id, layerDigests=[sha256(data)])['layerDigest']

repository = ecr.create_repository(repositoryName=name, imageScanningConfiguration={'scanOnPush': True}, tags=[{'Key': 'team', 'Value': 'blue'}])['repository']
out['repository'] = {key: repository[key] for key in ('repositoryArn', 'registryId', 'repositoryName', 'repositoryUri', 'imageTagMutability', 'imageScanningConfiguration')}
out['createdAtIsDate'] = hasattr(repository['createdAt'], 'year')

config = json.dumps({'architecture': 'amd64', 'os': 'linux'}).encode()
layer = os.urandom(50000)
config_digest = upload(config, 1024)
layer_digest = upload(layer, 20000)
manifest = json.dumps({
    'schemaVersion': 2,
    'mediaType': 'application/vnd.oci.image.manifest.v1+json',
    'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': config_digest, 'size': len(config)},
    'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': layer_digest, 'size': len(layer)}],
})
out['manifestDigest'] = sha256(manifest.encode())
out['layerDigest'] = layer_digest
out['imageSize'] = len(config) + len(layer)
out['put'] = ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag='v1')['image']['imageId']
ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag='latest')
available = ecr.batch_check_layer_availability(repositoryName=name, layerDigests=[layer_digest, sha256(b'absent')])
out['available'] = [l['layerDigest'] for l in available['layers']]
out['unavailable'] = [f['failureCode'] for f in available['failures']]

out['listed'] = sorted(i['imageTag'] for i in ecr.list_images(repositoryName=name)['imageIds'])
pages = list(ecr.get_paginator('list_images').paginate(repositoryName=name, PaginationConfig={'PageSize': 1}))
out['listPages'] = len(pages)
detail = ecr.describe_images(repositoryName=name, imageIds=[{'imageTag': 'v1'}])['imageDetails'][0]
out['described'] = {'imageDigest': detail['imageDigest'], 'imageTags': sorted(detail['imageTags']), 'imageSizeInBytes': detail['imageSizeInBytes']}
got = ecr.batch_get_image(repositoryName=name, imageIds=[{'imageTag': 'v1'}, {'imageTag': 'absent'}])
out['gotManifest'] = got['images'][0]['imageManifest'] == manifest
out['getFailures'] = [f['failureCode'] for f in got['failures']]
url = ecr.get_download_url_for_layer(repositoryName=name, layerDigest=layer_digest)['downloadUrl']
out['downloaded'] = urllib.request.urlopen(url).read() == layer
try:
    urllib.request.urlopen(url.replace('download-token=', 'download-token=x'))
    out['tamperedStatus'] = 200
except urllib.error.HTTPError as err:
    out['tamperedStatus'] = err.code

policy = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': ['ecr:BatchGetImage']}]})
ecr.set_repository_policy(repositoryName=name, policyText=policy)
out['policyRoundTrip'] = ecr.get_repository_policy(repositoryName=name)['policyText'] == policy
out['policyDeleted'] = ecr.delete_repository_policy(repositoryName=name)['policyText'] == policy

arn = repository['repositoryArn']
ecr.tag_resource(resourceArn=arn, tags=[{'Key': 'owner', 'Value': 'ops'}])
ecr.untag_resource(resourceArn=arn, tagKeys=['team'])
out['tags'] = ecr.list_tags_for_resource(resourceArn=arn)['tags']

error_code('createTwice', ecr.create_repository, repositoryName=name)
error_code('describeMissing', ecr.describe_repositories, repositoryNames=['boto/absent'])
error_code('deleteNotEmpty', ecr.delete_repository, repositoryName=name)
error_code('imageMissing', ecr.describe_images, repositoryName=name, imageIds=[{'imageTag': 'absent'}])
error_code('layersMissing', ecr.put_image, repositoryName=name, imageManifest=manifest.replace(layer_digest, sha256(b'absent')), imageTag='broken')
error_code('samePutAgain', ecr.put_image, repositoryName=name, imageManifest=manifest, imageTag='v1')
error_code('policyInvalid', ecr.set_repository_policy, repositoryName=name, policyText='{"Statement": ')
error_code('policyMissing', ecr.get_repository_policy, repositoryName=name)
error_code('nameInvalid', ecr.create_repository, repositoryName='Boto/Upper')
error_code('tooManyTags', ecr.tag_resource, resourceArn=arn, tags=[{'Key': 'k%d' % i, 'Value': 'v'} for i in range(51)])

deleted = ecr.batch_delete_image(repositoryName=name, imageIds=[{'imageTag': 'latest'}])
out['deletedTag'] = deleted['imageIds']
out['leftAfterTagDelete'] = [i.get('imageTag') for i in ecr.list_images(repositoryName=name)['imageIds']]
out['forceDeleted'] = ecr.delete_repository(repositoryName=name, force=True)['repository']['repositoryName']
error_code('goneAfterDelete', ecr.describe_repositories, repositoryNames=[name])
print(json.dumps(out))
`;

const unavailable = await boto3Unavailable();

describe('ECR API through boto3', { ...(unavailable && { skip: unavailable }) }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('runs a push, read, policy, tag and error scenario', async () => {
    const result = await boto3(server.url, server.admin, server.config.region, SCENARIO);
    assert.equal(result.code, 0, describeRun(result));
    const out = JSON.parse(result.stdout) as Record<string, unknown> & { manifestDigest: string; layerDigest: string; imageSize: number };
    const { accountId, region } = server.config;
    assert.deepEqual(out.repository, {
      repositoryArn: `arn:aws:ecr:${region}:${accountId}:repository/boto/app`,
      registryId: accountId,
      repositoryName: 'boto/app',
      repositoryUri: `${new URL(server.url).host}/boto/app`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
    });
    assert.equal(out.createdAtIsDate, true);
    assert.deepEqual(out.put, { imageDigest: out.manifestDigest, imageTag: 'v1' });
    assert.deepEqual(out.available, [out.layerDigest]);
    assert.deepEqual(out.unavailable, ['MissingLayerDigest']);
    assert.deepEqual(out.listed, ['latest', 'v1']);
    assert.equal(out.listPages, 2);
    assert.deepEqual(out.described, { imageDigest: out.manifestDigest, imageTags: ['latest', 'v1'], imageSizeInBytes: out.imageSize });
    assert.equal(out.gotManifest, true);
    assert.deepEqual(out.getFailures, ['ImageNotFound']);
    assert.equal(out.downloaded, true);
    assert.ok(out.tamperedStatus === 401 || out.tamperedStatus === 403, String(out.tamperedStatus));
    assert.equal(out.policyRoundTrip, true);
    assert.equal(out.policyDeleted, true);
    assert.deepEqual(out.tags, [{ Key: 'owner', Value: 'ops' }]);
    assert.deepEqual(out.errors, {
      createTwice: 'RepositoryAlreadyExistsException',
      describeMissing: 'RepositoryNotFoundException',
      deleteNotEmpty: 'RepositoryNotEmptyException',
      imageMissing: 'ImageNotFoundException',
      layersMissing: 'LayersNotFoundException',
      samePutAgain: 'ImageAlreadyExistsException',
      policyInvalid: 'InvalidParameterException',
      policyMissing: 'RepositoryPolicyNotFoundException',
      nameInvalid: 'InvalidParameterException',
      tooManyTags: 'TooManyTagsException',
      goneAfterDelete: 'RepositoryNotFoundException',
    });
    assert.deepEqual(out.deletedTag, [{ imageDigest: out.manifestDigest, imageTag: 'latest' }]);
    assert.deepEqual(out.leftAfterTagDelete, ['v1']);
    assert.equal(out.forceDeleted, 'boto/app');
  });
});
