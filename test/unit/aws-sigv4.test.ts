import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { ALWAYS_UNSIGNABLE_HEADERS, SignatureV4 } from '@smithy/signature-v4';
import { DomainError, isDomainError, type ErrorCode } from '../../src/domain/errors.js';
import { NodeSha256 } from '../../src/protocols/aws/sha256.js';
import { verifySigV4, type AccessKeySecret, type SignedRequest, type VerifyOptions } from '../../src/protocols/aws/sigv4.js';

const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const TEMPORARY_ACCESS_KEY_ID = 'ASIAEXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'session/token+with=chars';
const REGION = 'us-east-1';
const ENDPOINT = 'http://localhost:5000';
const SIGNED_AT = new Date('2026-01-01T00:00:00Z');
const MINUTE = 60_000;

const KEYS: Record<string, AccessKeySecret> = {
  [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY },
  [TEMPORARY_ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY, sessionToken: SESSION_TOKEN },
};

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { services: ['ecr'], lookupCredentials: async (id) => KEYS[id], now: SIGNED_AT, ...overrides };
}

const sha256Hex = (body: string) => createHash('sha256').update(body).digest('hex');

/** A request as the server receives it from a client that sent `url` with `headers` (the HTTP client adds Host). */
function received(method: string, url: string, headers: Record<string, string>, body = ''): SignedRequest {
  const { host, pathname } = new URL(url);
  const afterHost = url.slice(url.indexOf(host) + host.length) || pathname;
  const queryAt = afterHost.indexOf('?');
  const lowercased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    method,
    rawPath: queryAt === -1 ? afterHost : afterHost.slice(0, queryAt),
    rawQuery: queryAt === -1 ? '' : afterHost.slice(queryAt + 1),
    headers: { host, ...lowercased },
    payloadSha256: sha256Hex(body),
  };
}

function withHeaders(request: SignedRequest, headers: Record<string, string | undefined>): SignedRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, expected: { message?: string | RegExp; awsType?: string } = {}) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isDomainError(err), `expected a DomainError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof expected.message === 'string') assert.equal(err.message, expected.message);
    else if (expected.message) assert.match(err.message, expected.message);
    if (expected.awsType) assert.equal(err.detail?.['awsType'], expected.awsType);
    return true;
  });
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

// ---- The JS SDK's signer, used as the JS SDK uses it ----------------------------------------------------

/** The AWS SDK's query-string encoding (RFC 3986, as its HTTP handler builds URLs). */
const escapeUri = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface JsSdkCall {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  accessKeyId?: string;
  sessionToken?: string;
  service?: string;
  signingDate?: Date;
  unsignableHeaders?: Set<string>;
}

const ECR_HEADERS = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
  'user-agent': 'aws-sdk-js/3.0.0',
};

function jsSdkSigner(call: JsSdkCall) {
  return new SignatureV4({
    credentials: { accessKeyId: call.accessKeyId ?? ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, ...(call.sessionToken && { sessionToken: call.sessionToken }) },
    region: REGION,
    service: call.service ?? 'ecr',
    sha256: NodeSha256,
  });
}

function unsignedRequest(call: JsSdkCall) {
  const body = call.body ?? '{}';
  return {
    method: call.method ?? 'POST',
    protocol: 'http:',
    hostname: 'localhost',
    port: 5000,
    path: call.path ?? '/',
    query: call.query ?? {},
    // The SDK's retry middleware adds these two before signing; the signer covers them.
    headers: { host: 'localhost:5000', 'amz-sdk-invocation-id': randomUUID(), 'amz-sdk-request': 'attempt=1; max=3', ...ECR_HEADERS, ...call.headers, 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}

function asReceived(signed: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string> }, body: string): SignedRequest {
  const query = Object.entries(signed.query ?? {})
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value ?? '']).map((item) => `${escapeUri(name)}=${escapeUri(item)}`))
    .join('&');
  return received(signed.method, `${ENDPOINT}${signed.path}${query ? `?${query}` : ''}`, signed.headers, body);
}

async function signWithJsSdk(call: JsSdkCall = {}): Promise<SignedRequest> {
  const request = unsignedRequest(call);
  const signed = await jsSdkSigner(call).sign(request, { signingDate: call.signingDate ?? SIGNED_AT, ...(call.unsignableHeaders && { unsignableHeaders: call.unsignableHeaders }) });
  return asReceived(signed, request.body);
}

async function presignWithJsSdk(call: JsSdkCall & { expiresIn?: number } = {}): Promise<SignedRequest> {
  const request = { ...unsignedRequest({ method: 'GET', body: '', ...call }), headers: { host: 'localhost:5000' } };
  const signed = await jsSdkSigner({ service: 'sts', ...call }).presign(request, { signingDate: call.signingDate ?? SIGNED_AT, expiresIn: call.expiresIn ?? 900 });
  return asReceived(signed, '');
}

// ---- botocore, run as the AWS CLI runs it ----------------------------------------------------------------

const HAS_BOTOCORE = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' }).status === 0;
const NEEDS_BOTOCORE = HAS_BOTOCORE ? {} : { skip: 'python3 with botocore is not installed (pip install botocore)' };

/** Has botocore's real clients sign calls at a frozen time, stopping each just before it is sent. */
const BOTOCORE_FIXTURES = `
import datetime, json, sys
import botocore.auth, botocore.session
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

spec = json.load(sys.stdin)
signed_at = datetime.datetime.strptime(spec['signedAt'], '%Y%m%dT%H%M%SZ')
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: signed_at

class Sent(Exception):
    def __init__(self, request):
        body = request.body or b''
        self.request = {'method': request.method, 'url': request.url,
                        'headers': {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()},
                        'body': body.decode() if isinstance(body, bytes) else body}

def stop_before_sending(request, **kwargs):
    raise Sent(request)

def client(service, **credentials):
    c = botocore.session.get_session().create_client(service, region_name=spec['region'], endpoint_url=spec['endpoint'], **credentials)
    c.meta.events.register('before-send', stop_before_sending)
    return c

def sent(call):
    try:
        call()
    except Sent as captured:
        return captured.request
    raise AssertionError('the call sent nothing')

def signed_with_date_header():
    # botocore's own SigV4 steps over a request that carries Date instead of X-Amz-Date.
    request = AWSRequest(method='POST', url=spec['endpoint'] + '/', data=b'{}', headers={
        'Date': 'Thu, 01 Jan 2026 00:00:00 GMT', 'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories'})
    request.context['timestamp'] = spec['signedAt']
    signer = botocore.auth.SigV4Auth(Credentials(spec['accessKeyId'], spec['secretAccessKey']), 'ecr', spec['region'])
    signature = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    request.headers['Authorization'] = 'AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s' % (
        signer.scope(request), signer.signed_headers(signer.headers_to_sign(request)), signature)
    return {'method': 'POST', 'url': request.url, 'headers': dict(request.headers.items()), 'body': '{}'}

keys = {'aws_access_key_id': spec['accessKeyId'], 'aws_secret_access_key': spec['secretAccessKey']}
temporary = {'aws_access_key_id': spec['temporaryAccessKeyId'], 'aws_secret_access_key': spec['secretAccessKey'], 'aws_session_token': spec['sessionToken']}
ecr = client('ecr', **keys)
print(json.dumps({
    'ecrTwice': [sent(lambda: ecr.describe_repositories(repositoryNames=['team/app'])) for _ in range(2)],
    'ecrTemporary': sent(lambda: client('ecr', **temporary).describe_repositories()),
    'ecrDateHeader': signed_with_date_header(),
    'iam': sent(lambda: client('iam', **keys).create_user(UserName='alice', Tags=[{'Key': 'team', 'Value': 'a & <b>'}])),
    'stsPresigned': client('sts', **keys).generate_presigned_url('get_caller_identity', ExpiresIn=60),
    'stsPresignedTemporary': client('sts', **temporary).generate_presigned_url('get_caller_identity', ExpiresIn=900),
}))
`;

interface BotocoreRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
interface BotocoreFixtures {
  ecrTwice: [BotocoreRequest, BotocoreRequest];
  ecrTemporary: BotocoreRequest;
  ecrDateHeader: BotocoreRequest;
  iam: BotocoreRequest;
  stsPresigned: string;
  stsPresignedTemporary: string;
}

const fromBotocore = ({ method, url, headers, body }: BotocoreRequest) => received(method, url, headers, body);

describe('SigV4 verification', () => {
  let botocore: BotocoreFixtures;
  before(() => {
    if (!HAS_BOTOCORE) return;
    const spec = {
      signedAt: '20260101T000000Z',
      region: REGION,
      endpoint: ENDPOINT,
      accessKeyId: ACCESS_KEY_ID,
      temporaryAccessKeyId: TEMPORARY_ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      sessionToken: SESSION_TOKEN,
    };
    botocore = JSON.parse(execFileSync('python3', ['-c', BOTOCORE_FIXTURES], { input: JSON.stringify(spec), encoding: 'utf8' }));
  });

  describe('requests signed by botocore', NEEDS_BOTOCORE, () => {
    it('accepts an ECR JSON request', async () => {
      const request = fromBotocore(botocore.ecrTwice[0]);
      assert.deepEqual(await verifySigV4(request, options()), {
        accessKeyId: ACCESS_KEY_ID,
        region: REGION,
        service: 'ecr',
        signedWith: 'authorization-header',
        signature: /Signature=([0-9a-f]{64})/.exec(botocore.ecrTwice[0].headers['Authorization']!)![1],
        expiresAt: new Date(SIGNED_AT.getTime() + 15 * MINUTE),
      });
    });

    it('accepts temporary credentials presenting their session token', async () => {
      const verified = await verifySigV4(fromBotocore(botocore.ecrTemporary), options());
      assert.equal(verified.accessKeyId, TEMPORARY_ACCESS_KEY_ID);
    });

    it('accepts a request dated by the Date header', async () => {
      const verified = await verifySigV4(fromBotocore(botocore.ecrDateHeader), options());
      assert.equal(verified.accessKeyId, ACCESS_KEY_ID);
    });

    it('accepts an IAM query-protocol request on an endpoint for IAM and STS', async () => {
      const verified = await verifySigV4(fromBotocore(botocore.iam), options({ services: ['sts', 'iam'] }));
      assert.equal(verified.service, 'iam');
    });

    // botocore presigns with the operation's own method, POST for the query protocol (the Go SDK switches to GET).
    it('accepts a presigned STS GetCallerIdentity URL until its X-Amz-Expires', async () => {
      const request = received('POST', botocore.stsPresigned, {});
      const verified = await verifySigV4(request, options({ services: ['sts'], now: new Date(SIGNED_AT.getTime() + 60_000) }));
      assert.equal(verified.signedWith, 'query-string');
      assert.deepEqual(verified.expiresAt, new Date(SIGNED_AT.getTime() + 60_000));
      await rejectsWith(verifySigV4(request, options({ services: ['sts'], now: new Date(SIGNED_AT.getTime() + 61_000) })), 'REQUEST_EXPIRED', {
        message: /^Request has expired/,
        awsType: 'SignatureDoesNotMatch',
      });
    });

    it('accepts a presigned URL carrying a session token', async () => {
      const verified = await verifySigV4(received('POST', botocore.stsPresignedTemporary, {}), options({ services: ['sts'] }));
      assert.equal(verified.accessKeyId, TEMPORARY_ACCESS_KEY_ID);
    });

    it('refuses a botocore request whose body, operation or path was changed', async () => {
      const request = fromBotocore(botocore.ecrTwice[0]);
      await rejectsWith(verifySigV4({ ...request, payloadSha256: sha256Hex('{"repositoryNames": ["other"]}') }, options()), 'SIGNATURE_INVALID', {
        message: SIGNATURE_MISMATCH,
        awsType: 'InvalidSignatureException',
      });
      const deleting = withHeaders(request, { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository' });
      await rejectsWith(verifySigV4(deleting, options()), 'SIGNATURE_INVALID', { message: SIGNATURE_MISMATCH });
      await rejectsWith(verifySigV4({ ...request, rawPath: '/other' }, options()), 'SIGNATURE_INVALID', { message: SIGNATURE_MISMATCH });
    });

    it('refuses a presigned URL whose action was changed', async () => {
      const request = received('POST', botocore.stsPresigned.replace('Action=GetCallerIdentity', 'Action=GetSessionToken'), {});
      await rejectsWith(verifySigV4(request, options({ services: ['sts'] })), 'SIGNATURE_INVALID', { awsType: 'SignatureDoesNotMatch' });
    });
  });

  describe('requests signed by the JS SDK signer', () => {
    it('accepts an ECR JSON request', async () => {
      const verified = await verifySigV4(await signWithJsSdk({ body: '{"repositoryNames":["team/app"]}' }), options());
      assert.equal(verified.accessKeyId, ACCESS_KEY_ID);
      assert.equal(verified.signedWith, 'authorization-header');
    });

    it('accepts temporary credentials presenting their session token', async () => {
      const verified = await verifySigV4(await signWithJsSdk({ accessKeyId: TEMPORARY_ACCESS_KEY_ID, sessionToken: SESSION_TOKEN }), options());
      assert.equal(verified.accessKeyId, TEMPORARY_ACCESS_KEY_ID);
    });

    it('canonicalises an encoded path and a query with repeated and reserved names as the signer does', async () => {
      const request = await signWithJsSdk({
        method: 'GET',
        path: '/v2/team%2Fapp/./tags/../list',
        query: { n: '10', 'a b': ['z', 'y*'], last: "it's (~ok)" },
        body: '',
      });
      assert.equal(request.rawPath, '/v2/team%2Fapp/./tags/../list');
      assert.equal((await verifySigV4(request, options())).accessKeyId, ACCESS_KEY_ID);
      await rejectsWith(verifySigV4({ ...request, rawQuery: request.rawQuery.replace('n=10', 'n=11') }, options()), 'SIGNATURE_INVALID');
    });

    it('accepts a presigned URL, with or without a session token', async () => {
      const query = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
      assert.equal((await verifySigV4(await presignWithJsSdk({ query }), options({ services: ['sts'] }))).signedWith, 'query-string');
      const temporary = await presignWithJsSdk({ query, accessKeyId: TEMPORARY_ACCESS_KEY_ID, sessionToken: SESSION_TOKEN });
      assert.equal((await verifySigV4(temporary, options({ services: ['sts'] }))).accessKeyId, TEMPORARY_ACCESS_KEY_ID);
    });

    it('refuses a wrong secret', async () => {
      const request = await signWithJsSdk();
      const lookupCredentials = async () => ({ secretAccessKey: 'another secret' });
      await rejectsWith(verifySigV4(request, options({ lookupCredentials })), 'SIGNATURE_INVALID', { message: SIGNATURE_MISMATCH });
    });
  });

  describe('rules around the signature', () => {
    it('requires host among the signed headers', async () => {
      const request = await signWithJsSdk({ unsignableHeaders: new Set(['host']) });
      await rejectsWith(verifySigV4(request, options()), 'INVALID_PARAMETER', {
        message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        awsType: 'IncompleteSignatureException',
      });
    });

    it('requires every x-amz-* header present to be signed', async () => {
      const request = await signWithJsSdk({ unsignableHeaders: new Set(['x-amz-target']) });
      await rejectsWith(verifySigV4(request, options()), 'SIGNATURE_INVALID', {
        message: 'There were headers present in the request which were not signed: x-amz-target',
      });
    });

    it('refuses requests more than 15 minutes either side of the clock, with AWS wording', async () => {
      const request = await signWithJsSdk();
      const at = (ms: number) => options({ now: new Date(SIGNED_AT.getTime() + ms) });
      await verifySigV4(request, at(15 * MINUTE));
      await verifySigV4(request, at(-15 * MINUTE));
      await rejectsWith(verifySigV4(request, at(15 * MINUTE + 1000)), 'REQUEST_EXPIRED', {
        message: 'Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z (20260101T001501Z - 15 min.)',
        awsType: 'InvalidSignatureException',
      });
      await rejectsWith(verifySigV4(request, at(-15 * MINUTE - 1000)), 'REQUEST_EXPIRED', {
        message: 'Signature not yet current: 20260101T000000Z is still later than 20251231T235959Z (20251231T234459Z + 15 min.)',
      });
      const presignedForAnHour = await presignWithJsSdk({ query: { Action: 'GetCallerIdentity' }, expiresIn: 3600 });
      await rejectsWith(verifySigV4(presignedForAnHour, options({ services: ['sts'], now: new Date(SIGNED_AT.getTime() + 20 * MINUTE) })), 'REQUEST_EXPIRED', {
        message: /^Signature expired: /,
        awsType: 'SignatureDoesNotMatch',
      });
    });

    it('requires the credential scope date to be the request date', async () => {
      const request = await signWithJsSdk();
      const authorization = request.headers['authorization']!.replace('/20260101/', '/20251231/');
      await rejectsWith(verifySigV4(withHeaders(request, { authorization }), options()), 'SIGNATURE_INVALID', {
        message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T000000Z'.",
      });
    });

    it('requires a scope for this endpoint’s service, ending in aws4_request', async () => {
      await rejectsWith(verifySigV4(await signWithJsSdk({ service: 's3' }), options()), 'SIGNATURE_INVALID', {
        message: "Credential should be scoped to correct service: 'ecr'. ",
      });
      const request = await signWithJsSdk();
      const authorization = request.headers['authorization']!.replace('/aws4_request', '/aws5_request');
      await rejectsWith(verifySigV4(withHeaders(request, { authorization }), options()), 'SIGNATURE_INVALID', {
        message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
      });
    });

    it('refuses an unknown access key with each protocol’s error name', async () => {
      const request = await signWithJsSdk({ accessKeyId: 'AKIDUNKNOWN' });
      const message = 'The security token included in the request is invalid.';
      await rejectsWith(verifySigV4(request, options()), 'CREDENTIALS_UNKNOWN', { message, awsType: 'UnrecognizedClientException' });
      const iam = await signWithJsSdk({ accessKeyId: 'AKIDUNKNOWN', service: 'iam' });
      await rejectsWith(verifySigV4(iam, options({ services: ['iam', 'sts'] })), 'CREDENTIALS_UNKNOWN', { message, awsType: 'InvalidClientTokenId' });
    });

    it('passes on an error the credentials lookup throws', async () => {
      const lookupCredentials = async () => Promise.reject(new DomainError('CREDENTIALS_EXPIRED', 'The security token included in the request is expired'));
      await rejectsWith(verifySigV4(await signWithJsSdk(), options({ lookupCredentials })), 'CREDENTIALS_EXPIRED');
    });

    it('requires temporary credentials’ own session token, and no token for long-term keys', async () => {
      const invalidToken = { message: 'The security token included in the request is invalid.' };
      const withoutToken = await signWithJsSdk({ accessKeyId: TEMPORARY_ACCESS_KEY_ID });
      await rejectsWith(verifySigV4(withoutToken, options()), 'CREDENTIALS_UNKNOWN', invalidToken);
      const wrongToken = await signWithJsSdk({ accessKeyId: TEMPORARY_ACCESS_KEY_ID, sessionToken: `${SESSION_TOKEN}x` });
      await rejectsWith(verifySigV4(wrongToken, options()), 'CREDENTIALS_UNKNOWN', invalidToken);
      const longTermWithToken = await signWithJsSdk({ sessionToken: SESSION_TOKEN });
      await rejectsWith(verifySigV4(longTermWithToken, options()), 'CREDENTIALS_UNKNOWN', invalidToken);
      const presignedWithoutToken = await presignWithJsSdk({ accessKeyId: TEMPORARY_ACCESS_KEY_ID, query: { Action: 'GetCallerIdentity' } });
      await rejectsWith(verifySigV4(presignedWithoutToken, options({ services: ['sts'] })), 'CREDENTIALS_UNKNOWN', invalidToken);
    });

    it('requires x-amz-content-sha256, when sent, to be the body’s hash', async () => {
      const body = '{"repositoryNames":["team/app"]}';
      const unsigned = await signWithJsSdk({ body, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
      await rejectsWith(verifySigV4(unsigned, options()), 'SIGNATURE_INVALID', { message: 'This service does not accept UNSIGNED-PAYLOAD: sign the request body.' });
      const stale = await signWithJsSdk({ body, headers: { 'x-amz-content-sha256': sha256Hex('{}') } });
      await rejectsWith(verifySigV4(stale, options()), 'SIGNATURE_INVALID', {
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      });
    });

    it('asks for authentication when there is none, in each protocol’s words', async () => {
      const request = received('POST', `${ENDPOINT}/`, { 'content-type': 'application/x-amz-json-1.1' }, '{}');
      await rejectsWith(verifySigV4(request, options()), 'UNAUTHORIZED', {
        message: 'Missing Authentication Token',
        awsType: 'MissingAuthenticationTokenException',
      });
      await rejectsWith(verifySigV4(request, options({ services: ['sts', 'iam'] })), 'UNAUTHORIZED', {
        message: 'Request is missing Authentication Token',
        awsType: 'MissingAuthenticationToken',
      });
    });

    it('refuses presigned URLs with a repeated, missing or out-of-range parameter', async () => {
      const presigned = await presignWithJsSdk({ query: { Action: 'GetCallerIdentity' } });
      const sts = options({ services: ['sts'] });
      const repeated = { ...presigned, rawQuery: `${presigned.rawQuery}&X-Amz-Signature=${'0'.repeat(64)}` };
      await rejectsWith(verifySigV4(repeated, sts), 'INVALID_PARAMETER', { message: "'X-Amz-Signature' appears more than once in the query string." });
      const missing = { ...presigned, rawQuery: presigned.rawQuery.replace(/&X-Amz-Credential=[^&]*/, '') };
      await rejectsWith(verifySigV4(missing, sts), 'INVALID_PARAMETER', {
        message: "AWS query-string parameters must include 'X-Amz-Credential'. Re-examine the query-string parameters.",
        awsType: 'IncompleteSignature',
      });
      const aWeekAndASecond = { ...presigned, rawQuery: presigned.rawQuery.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604801') };
      await rejectsWith(verifySigV4(aWeekAndASecond, sts), 'INVALID_PARAMETER', { message: /less than a week/ });
    });
  });

  describe('hostile or malformed signature information gets a clean DomainError', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ecr/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64);
    const cases: Array<{ name: string; change: (request: SignedRequest) => SignedRequest; code: ErrorCode; message?: RegExp | string }> = [
      {
        name: 'another scheme, not quoting its credentials back',
        change: (r) => withHeaders(r, { authorization: 'Basic dXNlcjpodW50ZXIy' }),
        code: 'INVALID_PARAMETER',
        message:
          "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Basic …",
      },
      {
        name: 'the algorithm alone',
        change: (r) => withHeaders(r, { authorization: 'AWS4-HMAC-SHA256 ', 'x-amz-date': undefined }),
        code: 'INVALID_PARAMETER',
        message: /requires 'Credential' parameter.*requires 'Signature'.*requires 'SignedHeaders'.*requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4-HMAC-SHA256 $/,
      },
      {
        name: 'a field without an equals sign',
        change: (r) => withHeaders(r, { authorization: 'AWS4-HMAC-SHA256 Credential' }),
        code: 'INVALID_PARAMETER',
        message: "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential'.",
      },
      { name: 'a field given twice', change: (r) => withHeaders(r, { authorization: `${header}, Signature=${'b'.repeat(64)}` }), code: 'INVALID_PARAMETER' },
      {
        name: 'a short credential',
        change: (r) => withHeaders(r, { authorization: header.replace('/us-east-1/ecr/aws4_request', '') }),
        code: 'INVALID_PARAMETER',
        message: /^Credential must have exactly 5 slash-delimited elements/,
      },
      { name: 'an invalid region', change: (r) => withHeaders(r, { authorization: header.replace('us-east-1', 'US EAST') }), code: 'SIGNATURE_INVALID', message: /valid region/ },
      { name: 'uppercase signed headers', change: (r) => withHeaders(r, { authorization: header.replace('host;x-amz-date', 'Host;X-Amz-Date') }), code: 'INVALID_PARAMETER' },
      {
        name: 'prototype names among the signed headers',
        change: (r) => withHeaders(r, { authorization: header.replace('host;x-amz-date', '__proto__;constructor;host;tostring;x-amz-date') }),
        code: 'SIGNATURE_INVALID',
      },
      { name: 'a signature that is not hex', change: (r) => withHeaders(r, { authorization: header.replace(/Signature=.*/, 'Signature=zz') }), code: 'SIGNATURE_INVALID' },
      { name: 'a huge header', change: (r) => withHeaders(r, { authorization: `AWS4-HMAC-SHA256 ${', '.repeat(50_000)}x` }), code: 'INVALID_PARAMETER' },
      {
        name: 'a date that is not basic ISO 8601',
        change: (r) => withHeaders(r, { 'x-amz-date': '2026-01-01T00:00:00Z' }),
        code: 'INVALID_PARAMETER',
        message: "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
      },
      { name: 'a date that does not exist', change: (r) => withHeaders(r, { 'x-amz-date': '20260230T000000Z' }), code: 'INVALID_PARAMETER' },
      { name: 'a Date header that is not a date', change: (r) => withHeaders(r, { 'x-amz-date': undefined, date: 'yesterday' }), code: 'INVALID_PARAMETER' },
      { name: 'malformed percent-encoding in the query', change: (r) => ({ ...r, rawQuery: 'a=%E0%A4%A' }), code: 'INVALID_PARAMETER' },
      {
        name: 'both an Authorization header and presigned parameters',
        change: (r) => ({ ...r, rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }),
        code: 'INVALID_PARAMETER',
        message: /^Only one auth mechanism allowed/,
      },
      { name: 'an unsupported presigning algorithm', change: (r) => ({ ...r, headers: { host: 'localhost:5000' }, rawQuery: 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256' }), code: 'INVALID_PARAMETER' },
      { name: 'a lone surrogate in the path', change: (r) => ({ ...r, rawPath: '/\uD800' }), code: 'SIGNATURE_INVALID' },
      { name: 'an access key id no key has', change: (r) => withHeaders(r, { authorization: header.replace('AKIDEXAMPLE', 'A'.repeat(500)) }), code: 'CREDENTIALS_UNKNOWN' },
    ];
    for (const { name, change, code, message } of cases) {
      it(name, async () => {
        const request = change(received('POST', `${ENDPOINT}/`, { 'x-amz-date': '20260101T000000Z', authorization: header }, '{}'));
        await rejectsWith(verifySigV4(request, options()), code, message === undefined ? {} : { message });
      });
    }
  });

  describe('do SDKs sign each call uniquely?', () => {
    it('the JS SDK does: its retry middleware adds amz-sdk-invocation-id before signing, and the signer covers it', async () => {
      // The SDK orders httpSigningMiddleware after retryMiddleware, which sets a fresh UUID per call and attempt=N per try.
      assert.equal(Object.hasOwn(ALWAYS_UNSIGNABLE_HEADERS, 'amz-sdk-invocation-id'), false);
      assert.equal(Object.hasOwn(ALWAYS_UNSIGNABLE_HEADERS, 'amz-sdk-request'), false);
      const [first, second] = [await signWithJsSdk(), await signWithJsSdk()];
      assert.match(first.headers['authorization']!, /SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;/);
      assert.notEqual(first.headers['authorization'], second.headers['authorization']);
    });

    it('botocore does not: it adds amz-sdk-invocation-id after signing, so identical calls in one second share a signature', NEEDS_BOTOCORE, () => {
      const [first, second] = botocore.ecrTwice;
      assert.notEqual(first.headers['amz-sdk-invocation-id'], second.headers['amz-sdk-invocation-id']);
      assert.doesNotMatch(first.headers['Authorization']!, /amz-sdk/);
      assert.equal(first.headers['Authorization'], second.headers['Authorization']);
    });
  });
});
