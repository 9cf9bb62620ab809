// Signed calls to Berth's AWS APIs, made as the AWS SDKs make them: ECR's JSON protocol and IAM's
// query protocol at POST /, signed with SigV4 by the SDK's own signer. Each call carries a fresh,
// signed amz-sdk-invocation-id, so two identical calls within one second are not taken for a replay.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../src/protocols/aws/sha256.js';
import { send } from './http-client.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
const IAM_VERSION = '2010-05-08';

export class AwsApi {
  readonly #agent = new http.Agent({ keepAlive: false });

  constructor(
    readonly base: URL,
    private readonly credentials: AwsCredentials,
    private readonly region: string,
  ) {}

  /** One ECR operation; resolves with its JSON output. */
  async ecr(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${ECR_TARGET_PREFIX}.${operation}` };
    return JSON.parse(await this.call('ecr', headers, JSON.stringify(input), `ECR ${operation}`)) as Record<string, unknown>;
  }

  /** One IAM action; resolves once it succeeded (its XML result is not needed here). */
  async iam(action: string, parameters: Record<string, string>): Promise<void> {
    const body = new URLSearchParams({ Action: action, Version: IAM_VERSION, ...parameters }).toString();
    await this.call('iam', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, `IAM ${action}`);
  }

  private async call(service: 'ecr' | 'iam', headers: Record<string, string>, body: string, what: string): Promise<string> {
    const signer = new SignatureV4({ credentials: this.credentials, region: this.region, service, sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      path: '/',
      query: {},
      headers: { host: this.base.host, 'amz-sdk-invocation-id': randomUUID(), ...headers },
      body,
    });
    const reply = await send(this.#agent, new URL('/', this.base), { method: 'POST', headers: signed.headers, body: Buffer.from(body) });
    const text = reply.body.toString('utf8');
    if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status} ${text.slice(0, 300).replace(/\s+/g, ' ')}`);
    return text;
  }
}
