/**
 * AWS Signature Version 4 verification for the ECR JSON API and the IAM/STS query API.
 *
 * Our code parses the request's claim (Authorization header or presigned query string) and enforces the
 * rules around it: scope, clock window, signed host, session token. The expected signature itself comes
 * from the AWS SDK's own signer (`@smithy/signature-v4`) fed the request exactly as received and restricted
 * to its SignedHeaders, so path, query and header canonicalisation are AWS's, not a reimplementation.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ALGORITHM_IDENTIFIER, SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { DomainError } from '../../domain/errors.js';
import { NodeSha256 } from './sha256.js';

export type SigningService = 'ecr' | 'sts' | 'iam';

/** An incoming request as the HTTP layer received it, before any decoding. */
export interface SignedRequest {
  method: string;
  /** The path as received, still percent-encoded, without the query string. */
  rawPath: string;
  /** The query string as received, without the '?' ('' when there is none). */
  rawQuery: string;
  /** Lowercase header names; a repeated header's values joined with ', ' as node does. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Lowercase hex SHA-256 of the body as received (of '' when there is none). */
  payloadSha256: string;
}

export interface AccessKeySecret {
  secretAccessKey: string;
  /** Set for temporary credentials, whose requests must present exactly this token. */
  sessionToken?: string;
}

export interface VerifyOptions {
  /** The services this endpoint answers for; they must share a wire protocol (ECR's JSON, or IAM and STS's query). */
  services: readonly [SigningService, ...SigningService[]];
  /** The secret of an access key, or undefined when the key is unknown; may throw its own DomainError (e.g. CREDENTIALS_EXPIRED). */
  lookupCredentials(accessKeyId: string): Promise<AccessKeySecret | undefined>;
  now: Date;
}

export interface VerifiedRequest {
  accessKeyId: string;
  region: string;
  service: SigningService;
  signedWith: 'authorization-header' | 'query-string';
  /** Lowercase hex, as sent. */
  signature: string;
  /** The last instant at which this signature is accepted; after it, it is refused as expired. */
  expiresAt: Date;
}

/** AWS accepts a signed request for 15 minutes either side of its own clock. */
const CLOCK_WINDOW_MS = 15 * 60_000;
/** The longest X-Amz-Expires SigV4 allows: one week, the life of a signing key. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;
/** Client-supplied text quoted back in an error message is cut to this length. */
const MAX_QUOTED_LENGTH = 256;

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_SECURITY_TOKEN = 'The security token included in the request is invalid.';

/** What AWS calls each authentication failure; ECR speaks the JSON protocol, IAM and STS the query protocol. */
const WIRE_NAMES = {
  json: {
    incompleteSignature: 'IncompleteSignatureException',
    signatureMismatch: 'InvalidSignatureException',
    invalidToken: 'UnrecognizedClientException',
    missingToken: 'MissingAuthenticationTokenException',
    missingTokenMessage: 'Missing Authentication Token',
  },
  query: {
    incompleteSignature: 'IncompleteSignature',
    signatureMismatch: 'SignatureDoesNotMatch',
    invalidToken: 'InvalidClientTokenId',
    missingToken: 'MissingAuthenticationToken',
    missingTokenMessage: 'Request is missing Authentication Token',
  },
} as const;
const WIRE_PROTOCOL = { ecr: 'json', sts: 'query', iam: 'query' } as const satisfies Record<SigningService, keyof typeof WIRE_NAMES>;

/** The DomainErrors of one endpoint, each carrying the AWS error name its wire protocol uses as `awsType`. */
class AuthFailures {
  readonly #names: (typeof WIRE_NAMES)[keyof typeof WIRE_NAMES];

  constructor(service: SigningService) {
    this.#names = WIRE_NAMES[WIRE_PROTOCOL[service]];
  }

  incompleteSignature(message: string): DomainError {
    return new DomainError('INVALID_PARAMETER', message, { awsType: this.#names.incompleteSignature });
  }

  signatureMismatch(message = SIGNATURE_MISMATCH): DomainError {
    return new DomainError('SIGNATURE_INVALID', message, { awsType: this.#names.signatureMismatch });
  }

  /** AWS reports a request outside the clock window as a signature failure, with its own message. */
  expired(message: string): DomainError {
    return new DomainError('REQUEST_EXPIRED', message, { awsType: this.#names.signatureMismatch });
  }

  invalidToken(): DomainError {
    return new DomainError('CREDENTIALS_UNKNOWN', INVALID_SECURITY_TOKEN, { awsType: this.#names.invalidToken });
  }

  missingToken(): DomainError {
    return new DomainError('UNAUTHORIZED', this.#names.missingTokenMessage, { awsType: this.#names.missingToken });
  }
}

/** The signature a request claims, parsed but not yet checked. */
interface SignatureClaim {
  signedWith: VerifiedRequest['signedWith'];
  credential: string;
  signedHeaders: string;
  signature: string;
  /** X-Amz-Date (header or query parameter), or the Date header. */
  date: { value: string; from: 'x-amz-date' | 'date' };
  /** Presigned URLs only: X-Amz-Expires, when given. */
  expiresSeconds?: number;
  sessionToken?: string;
}

type QueryBag = Record<string, string | string[]>;

/**
 * Verifies a SigV4-signed request and names who signed it, or throws a DomainError: UNAUTHORIZED (no
 * signature), INVALID_PARAMETER (malformed signature information), SIGNATURE_INVALID, REQUEST_EXPIRED,
 * CREDENTIALS_UNKNOWN. Each carries `detail.awsType`, the AWS error name for the endpoint's wire protocol.
 */
export async function verifySigV4(request: SignedRequest, options: VerifyOptions): Promise<VerifiedRequest> {
  const fail = new AuthFailures(options.services[0]);
  const query = parseQuery(request.rawQuery);
  const claim = readClaim(request.headers, query, fail);

  const scope = parseCredentialScope(claim.credential, options.services, fail);
  const requestDate = parseRequestDate(claim.date, fail);
  const longDate = amzDate(requestDate);
  if (scope.date !== longDate.slice(0, 8)) {
    throw fail.signatureMismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${longDate.slice(0, 8)}', from '${longDate}'.`,
    );
  }
  const signedHeaders = parseSignedHeaders(claim.signedHeaders, request.headers, fail);
  const expiresAt = checkClockWindow(requestDate, claim.expiresSeconds, options.now, fail);

  const declaredPayloadHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (declaredPayloadHash !== undefined && declaredPayloadHash !== request.payloadSha256) {
    // ECR, IAM and STS bodies are always signed: an unsigned or stale hash would let a body be swapped under a valid signature.
    throw fail.signatureMismatch(
      declaredPayloadHash === 'UNSIGNED-PAYLOAD'
        ? 'This service does not accept UNSIGNED-PAYLOAD: sign the request body.'
        : "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  if (!/^[\x21-\x7e]{1,128}$/.test(scope.accessKeyId)) throw fail.invalidToken();
  const secret = await options.lookupCredentials(scope.accessKeyId);
  if (!secret) throw fail.invalidToken();
  const tokenMatches =
    secret.sessionToken === undefined
      ? claim.sessionToken === undefined
      : claim.sessionToken !== undefined && constantTimeEqual(claim.sessionToken, secret.sessionToken);
  if (!tokenMatches) throw fail.invalidToken();

  const signer = new ExpectedSignature({
    credentials: { accessKeyId: scope.accessKeyId, ...secret },
    region: scope.region,
    service: scope.service,
    sha256: NodeSha256,
  });
  let expected: string;
  try {
    expected = await signer.of(request, query, signedHeaders, requestDate, scope);
  } catch (err) {
    // The signer percent-encodes with encodeURIComponent, which refuses lone surrogates: such a path was not signed by anyone.
    if (err instanceof URIError) throw fail.signatureMismatch();
    throw err;
  }
  if (!constantTimeEqual(expected, claim.signature)) throw fail.signatureMismatch();

  return {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signedWith: claim.signedWith,
    signature: claim.signature,
    expiresAt,
  };
}

/** The AWS SDK's signer, asked for the signature of a request exactly as it was received. */
class ExpectedSignature extends SignatureV4 {
  async of(request: SignedRequest, query: QueryBag, signedHeaders: Set<string>, requestDate: Date, scope: CredentialScope): Promise<string> {
    const headers: Record<string, string> = Object.create(null);
    for (const name of signedHeaders) {
      const value = headerValue(request.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    const received = { method: request.method, protocol: 'https:', hostname: headers['host'] ?? '', path: request.rawPath, query, headers };
    const canonicalRequest = this.createCanonicalRequest(received, getCanonicalHeaders(received, undefined, signedHeaders), request.payloadSha256);
    const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
    const stringToSign = await this.createStringToSign(amzDate(requestDate), credentialScope, canonicalRequest, ALGORITHM_IDENTIFIER);
    return this.sign(stringToSign, { signingDate: requestDate, signingRegion: scope.region, signingService: scope.service });
  }
}

/** The query string as a bag of decoded names to values (lists for repeated names), the shape the signer canonicalises. */
function parseQuery(rawQuery: string): QueryBag {
  const bag: QueryBag = Object.create(null);
  if (rawQuery === '') return bag;
  for (const pair of rawQuery.split('&')) {
    const equals = pair.indexOf('=');
    const [name, value] = equals === -1 ? [decode(pair), ''] : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    const previous = bag[name];
    bag[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return bag;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new DomainError('INVALID_PARAMETER', `The query string has malformed percent-encoding in '${quote(component)}'.`);
  }
}

function readClaim(headers: SignedRequest['headers'], query: QueryBag, fail: AuthFailures): SignatureClaim {
  const authorization = headerValue(headers, 'authorization');
  const presigned = 'X-Amz-Algorithm' in query || 'X-Amz-Signature' in query || 'X-Amz-Credential' in query;
  if (authorization !== undefined && presigned) {
    throw fail.incompleteSignature(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return readAuthorizationHeader(authorization, headers, fail);
  if (presigned) return readPresignedQuery(query, fail);
  throw fail.missingToken();
}

function readAuthorizationHeader(authorization: string, headers: SignedRequest['headers'], fail: AuthFailures): SignatureClaim {
  const amzDateHeader = headerValue(headers, 'x-amz-date');
  const dateHeader = headerValue(headers, 'date');
  const date =
    amzDateHeader !== undefined
      ? ({ value: amzDateHeader, from: 'x-amz-date' } as const)
      : dateHeader !== undefined
        ? ({ value: dateHeader, from: 'date' } as const)
        : undefined;

  const scheme = /^AWS4-HMAC-SHA256\s+/.exec(authorization);
  const fields = new Map<string, string>();
  if (scheme) {
    for (const part of authorization.slice(scheme[0].length).split(',')) {
      const field = part.trim();
      if (field === '') continue;
      const equals = field.indexOf('=');
      if (equals <= 0) {
        throw fail.incompleteSignature(
          `'${quote(field)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${quoteAuthorization(authorization)}'.`,
        );
      }
      const name = field.slice(0, equals);
      if (fields.has(name)) throw fail.incompleteSignature(`Authorization header has more than one '${quote(name)}' parameter.`);
      fields.set(name, field.slice(equals + 1));
    }
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  const signedHeaders = fields.get('SignedHeaders');
  if (!credential || !signature || !signedHeaders || !date) {
    // AWS lists every missing part at once, then the header as received.
    const missing = [
      ...(credential ? [] : ["Authorization header requires 'Credential' parameter."]),
      ...(signature ? [] : ["Authorization header requires 'Signature' parameter."]),
      ...(signedHeaders ? [] : ["Authorization header requires 'SignedHeaders' parameter."]),
      ...(date ? [] : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
    ];
    throw fail.incompleteSignature(`${missing.join(' ')} Authorization=${quoteAuthorization(authorization)}`);
  }
  const sessionToken = headerValue(headers, 'x-amz-security-token');
  return { signedWith: 'authorization-header', credential, signature, signedHeaders, date, ...(sessionToken !== undefined && { sessionToken }) };
}

function readPresignedQuery(query: QueryBag, fail: AuthFailures): SignatureClaim {
  const parameter = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw fail.incompleteSignature(`'${name}' appears more than once in the query string.`);
    return value;
  };
  const required = (name: string): string => {
    const value = parameter(name);
    if (!value) throw fail.incompleteSignature(`AWS query-string parameters must include '${name}'. Re-examine the query-string parameters.`);
    return value;
  };
  const algorithm = required('X-Amz-Algorithm');
  if (algorithm !== ALGORITHM_IDENTIFIER) throw fail.incompleteSignature(`X-Amz-Algorithm only supports "${ALGORITHM_IDENTIFIER}"`);
  const claim: SignatureClaim = {
    signedWith: 'query-string',
    credential: required('X-Amz-Credential'),
    date: { value: required('X-Amz-Date'), from: 'x-amz-date' },
    signedHeaders: required('X-Amz-SignedHeaders'),
    signature: required('X-Amz-Signature'),
  };
  const expires = parameter('X-Amz-Expires');
  if (expires !== undefined) {
    if (!/^\d{1,7}$/.test(expires)) throw fail.incompleteSignature('X-Amz-Expires should be a number of seconds.');
    claim.expiresSeconds = Number(expires);
    if (claim.expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
      throw fail.incompleteSignature(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`);
    }
  }
  const sessionToken = parameter('X-Amz-Security-Token');
  if (sessionToken !== undefined) claim.sessionToken = sessionToken;
  return claim;
}

interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: SigningService;
}

function parseCredentialScope(credential: string, services: VerifyOptions['services'], fail: AuthFailures): CredentialScope {
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || !service || !terminator) {
    throw fail.incompleteSignature(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${quote(credential)}'`);
  }
  if (terminator !== 'aws4_request') {
    throw fail.signatureMismatch(`Credential should be scoped with a valid terminator: 'aws4_request', not '${quote(terminator)}'. `);
  }
  const expectedService = services.find((name) => name === service);
  if (!expectedService) throw fail.signatureMismatch(`Credential should be scoped to correct service: '${services.join("' or '")}'. `);
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw fail.signatureMismatch(`Credential should be scoped to a valid region, not '${quote(region)}'. `);
  if (!/^\d{8}$/.test(date)) {
    throw fail.signatureMismatch(`Date in Credential scope is not a date in the YYYYMMDD format: '${quote(date)}'.`);
  }
  return { accessKeyId, date, region, service: expectedService };
}

function parseRequestDate(date: SignatureClaim['date'], fail: AuthFailures): Date {
  if (date.from === 'date') {
    const parsed = Date.parse(date.value);
    if (Number.isNaN(parsed)) throw fail.incompleteSignature(`The Date header is not an HTTP date: '${quote(date.value)}'.`);
    return new Date(parsed);
  }
  const fields = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date.value)?.slice(1).map(Number);
  const parsed = fields && new Date(Date.UTC(fields[0]!, fields[1]! - 1, fields[2]!, fields[3]!, fields[4]!, fields[5]!));
  // Date.UTC rolls 20260230 over into March; a date that does not print back as it was given is not a date.
  if (!parsed || amzDate(parsed) !== date.value) {
    throw fail.incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${quote(date.value)}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  return parsed;
}

/** SigV4's timestamp form, e.g. 20260101T000000Z. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * The signed header names, checked: `host` must be among them (else the signature could be replayed
 * against another endpoint), and so must every x-amz-* header present (else one such as x-amz-target,
 * which names the ECR operation, could be swapped under a valid signature).
 */
function parseSignedHeaders(signedHeaders: string, headers: SignedRequest['headers'], fail: AuthFailures): Set<string> {
  const names = signedHeaders.split(';');
  const malformed = names.find((name) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name));
  if (malformed !== undefined) throw fail.incompleteSignature(`SignedHeaders must be lowercase header names separated by ';', got '${quote(signedHeaders)}'.`);
  const signed = new Set(names);
  if (!signed.has('host')) throw fail.incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const unsigned = Object.keys(headers).filter((name) => name.startsWith('x-amz-') && headers[name] !== undefined && !signed.has(name));
  if (unsigned.length > 0) {
    throw fail.signatureMismatch(`There were headers present in the request which were not signed: ${quote(unsigned.sort().join(', '))}`);
  }
  return signed;
}

/** Enforces the clock window (and a presigned URL's own expiry within it); returns the last instant the signature is accepted. */
function checkClockWindow(requestDate: Date, expiresSeconds: number | undefined, now: Date, fail: AuthFailures): Date {
  const signedAt = requestDate.getTime();
  const nowMs = now.getTime();
  if (signedAt < nowMs - CLOCK_WINDOW_MS) {
    throw fail.expired(
      `Signature expired: ${amzDate(requestDate)} is now earlier than ${amzDate(new Date(nowMs - CLOCK_WINDOW_MS))} (${amzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt > nowMs + CLOCK_WINDOW_MS) {
    throw fail.expired(
      `Signature not yet current: ${amzDate(requestDate)} is still later than ${amzDate(new Date(nowMs + CLOCK_WINDOW_MS))} (${amzDate(now)} + 15 min.)`,
    );
  }
  // AWS's non-S3 services ignore X-Amz-Expires and apply the 15-minute window alone; we also honour a shorter expiry the signer asked for.
  if (expiresSeconds !== undefined && nowMs > signedAt + expiresSeconds * 1000) {
    throw fail.expired(`Request has expired: signed at ${amzDate(requestDate)} for ${expiresSeconds} seconds, and it is now ${amzDate(now)}.`);
  }
  return new Date(signedAt + Math.min(CLOCK_WINDOW_MS, (expiresSeconds ?? Infinity) * 1000));
}

/** A header's value; own properties only, so a hostile SignedHeaders entry such as `__proto__` finds nothing. */
function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Compares secrets in time independent of where they differ (hashing first evens out their lengths). */
function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function quote(text: string): string {
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
}

/** AWS quotes the Authorization header back; only a SigV4 one, which holds no secret (a Basic one would). */
function quoteAuthorization(authorization: string): string {
  return authorization.startsWith('AWS4-') ? quote(authorization) : `${quote(authorization.split(/\s/, 1)[0] ?? '')} …`;
}
