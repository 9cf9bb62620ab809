/** SigV4-signed requests to Berth's AWS APIs, signed with the AWS SDK's own signer, for tests that need raw control. */
import { randomUUID } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/protocols/aws/sha256.js';

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedCall {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Signs (without sending) a call, so a test can send it twice or tamper with it. */
export async function signCall(baseUrl: string, credentials: TestCredentials, service: 'ecr' | 'sts' | 'iam', region: string, headers: Record<string, string>, body: string): Promise<SignedCall> {
  const url = new URL(baseUrl);
  const signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256 });
  // As the JS SDK does: a signed id per call, so identical calls in one second are not replays of each other.
  const invocation = { 'amz-sdk-invocation-id': randomUUID() };
  const signed = await signer.sign({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, ...invocation, ...headers }, body });
  return { url: `${url.origin}/`, headers: signed.headers as Record<string, string>, body };
}

export async function send(call: SignedCall): Promise<Response> {
  const { host: _host, ...headers } = call.headers;
  return fetch(call.url, { method: 'POST', headers, body: call.body });
}

/** One ECR JSON 1.1 call; resolves with the status and parsed body. */
export async function ecrCall(baseUrl: string, credentials: TestCredentials, region: string, operation: string, input: object = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const call = await signCall(
    baseUrl,
    credentials,
    'ecr',
    region,
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}` },
    JSON.stringify(input),
  );
  const res = await send(call);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One IAM or STS query-protocol call; resolves with the status and XML text. */
export async function queryCall(baseUrl: string, credentials: TestCredentials, region: string, service: 'sts' | 'iam', parameters: Record<string, string>): Promise<{ status: number; xml: string }> {
  const version = service === 'sts' ? '2011-06-15' : '2010-05-08';
  const body = new URLSearchParams({ Version: version, ...parameters }).toString();
  const res = await send(await signCall(baseUrl, credentials, service, region, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body));
  return { status: res.status, xml: await res.text() };
}

/** The text of the first <name> element of an XML document. */
export function xmlText(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** The Basic header `docker login` sends after GetAuthorizationToken for these credentials. */
export async function registryAuthorization(baseUrl: string, credentials: TestCredentials, region: string): Promise<string> {
  const { status, body } = await ecrCall(baseUrl, credentials, region, 'GetAuthorizationToken');
  if (status !== 200) throw new Error(`GetAuthorizationToken failed: ${status} ${JSON.stringify(body)}`);
  const data = (body.authorizationData as { authorizationToken: string }[])[0]!;
  return `Basic ${data.authorizationToken}`;
}
