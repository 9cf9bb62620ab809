import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import { parseQueryRequest, renderQueryError, renderQueryResponse } from '../../src/protocols/aws/query-protocol.js';

const REQUEST_ID = '01234567-89ab-cdef-0123-456789abcdef';

const invalidParameter = (message: RegExp) => (err: unknown) => isDomainError(err, 'INVALID_PARAMETER') && message.test(err.message);

describe('query protocol: requests', () => {
  it('reads a body as botocore sends it, with a list of structures', () => {
    // iam.create_user(UserName='alice', Tags=[{'Key': 'team', 'Value': 'a & <b>'}]) from botocore 1.43.
    const body = 'Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=a+%26+%3Cb%3E';
    const request = parseQueryRequest(body);
    assert.equal(request.action, 'CreateUser');
    assert.equal(request.version, '2010-05-08');
    assert.deepEqual({ ...request.parameters }, { UserName: 'alice', Tags: [{ Key: 'team', Value: 'a & <b>' }].map((tag) => Object.assign(Object.create(null), tag)) });
  });

  it('orders list members by their index, not by where they appear', () => {
    const { parameters } = parseQueryRequest(
      'Action=AssumeRole&PolicyArns.member.2.arn=arn:b&PolicyArns.member.1.arn=arn:a&TransitiveTagKeys.member.10=j&TransitiveTagKeys.member.9=i',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(parameters)), { PolicyArns: [{ arn: 'arn:a' }, { arn: 'arn:b' }], TransitiveTagKeys: ['i', 'j'] });
  });

  it('reads a presigned GET query string, leaving the SigV4 parameters out', () => {
    const request = parseQueryRequest('Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc');
    assert.deepEqual({ action: request.action, version: request.version, parameters: { ...request.parameters } }, { action: 'GetCallerIdentity', version: '2011-06-15', parameters: {} });
  });

  it('keeps prototype names as plain parameters', () => {
    const { parameters } = parseQueryRequest('Action=CreateUser&__proto__.polluted=yes&constructor=1');
    assert.deepEqual(Object.keys(parameters), ['__proto__', 'constructor']);
    assert.equal((parameters['__proto__'] as Record<string, string>)['polluted'], 'yes');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('refuses a request without an action', () => {
    assert.throws(
      () => parseQueryRequest('Version=2010-05-08&UserName=alice'),
      (err) => isDomainError(err, 'INVALID_PARAMETER') && err.detail?.['awsType'] === 'MissingAction',
    );
  });

  it('refuses repeated, conflicting and malformed parameter names', () => {
    assert.throws(() => parseQueryRequest('Action=A&Action=B'), invalidParameter(/'Action' is given more than once/));
    assert.throws(() => parseQueryRequest('Action=A&UserName=a&UserName=b'), invalidParameter(/'UserName' is given more than once/));
    assert.throws(() => parseQueryRequest('Action=A&Tags=x&Tags.member.1.Key=k'), invalidParameter(/'Tags.member.1.Key' is a list here but a value/));
    assert.throws(() => parseQueryRequest('Action=A&Tags.member.1=x&Tags.member.1.Key=k'), invalidParameter(/is a structure here but a value/));
    assert.throws(() => parseQueryRequest('Action=A&Tags.member.1.Key=k&Tags.Key=x'), invalidParameter(/is a structure here but a list/));
    assert.throws(() => parseQueryRequest('Action=A&member.1=x'), invalidParameter(/without naming the list/));
    for (const index of ['0', '01', 'x', '']) {
      assert.throws(() => parseQueryRequest(`Action=A&Tags.member.${index}=x`), invalidParameter(/valid index/));
    }
    assert.throws(() => parseQueryRequest('Action=A&Tags..Key=x'), invalidParameter(/empty name segment/));
  });
});

const GET_CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/alice</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;

const NO_SUCH_ENTITY = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The user with name a&lt;b&gt; &amp; c cannot be found.</Message>
  </Error>
  <RequestId>${REQUEST_ID}</RequestId>
</ErrorResponse>
`;

describe('query protocol: responses', () => {
  it('renders a result as AWS lays it out', () => {
    const result = { Arn: 'arn:aws:iam::123456789012:user/alice', UserId: 'AIDAEXAMPLE', Account: '123456789012' };
    assert.deepEqual(renderQueryResponse('sts', 'GetCallerIdentity', REQUEST_ID, result), { status: 200, contentType: 'text/xml', body: GET_CALLER_IDENTITY });
  });

  it('renders an action without a result as metadata alone', () => {
    assert.equal(
      renderQueryResponse('iam', 'DeleteUser', REQUEST_ID).body,
      `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <ResponseMetadata>\n    <RequestId>${REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n</DeleteUserResponse>\n`,
    );
  });

  it('renders lists as members, an empty list as an empty element, and booleans, numbers and timestamps as AWS writes them', () => {
    const { body } = renderQueryResponse('iam', 'ListUsers', REQUEST_ID, {
      Users: [{ UserName: 'alice', CreateDate: new Date('2026-01-02T03:04:05.678Z'), Tags: [] }],
      IsTruncated: false,
      MaxItems: 100,
      Marker: undefined,
    });
    assert.match(
      body,
      /<Users>\n {6}<member>\n {8}<UserName>alice<\/UserName>\n {8}<CreateDate>2026-01-02T03:04:05Z<\/CreateDate>\n {8}<Tags\/>\n {6}<\/member>\n {4}<\/Users>\n {4}<IsTruncated>false<\/IsTruncated>\n {4}<MaxItems>100<\/MaxItems>\n {2}<\/ListUsersResult>/,
    );
    assert.doesNotMatch(body, /Marker/);
  });

  it('renders an error with its status, typed Sender for 4xx and Receiver for 5xx, escaping the message', () => {
    const notFound = renderQueryError('iam', { status: 404, code: 'NoSuchEntity', message: 'The user with name a<b> & c cannot be found.' }, REQUEST_ID);
    assert.deepEqual(notFound, { status: 404, contentType: 'text/xml', body: NO_SUCH_ENTITY });
    const failure = renderQueryError('sts', { status: 500, code: 'InternalFailure', message: 'oops' }, REQUEST_ID);
    assert.equal(failure.status, 500);
    assert.match(failure.body, /<Type>Receiver<\/Type>/);
  });

  it('keeps text XML 1.0 can carry and replaces what it cannot', () => {
    const { body } = renderQueryResponse('sts', 'X', REQUEST_ID, { Text: 'a]]>b\r\n\u0001\uD800😀\t"\'' });
    assert.match(body, /<Text>a\]\]&gt;b&#xD;\n\uFFFD\uFFFD😀\t"'<\/Text>/);
  });

  it('refuses an element name that is not one', () => {
    assert.throws(() => renderQueryResponse('iam', 'X', REQUEST_ID, { 'a b': 'x' }), /not an XML element name/);
  });
});

const HAS_BOTOCORE = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' }).status === 0;

/** botocore's own query-protocol parser, reading our documents with the STS and IAM service models. */
const BOTOCORE_PARSE = `
import json, sys
import botocore.session, botocore.parsers
documents = json.load(sys.stdin)
session = botocore.session.get_session()
def parse(service, operation, document):
    model = session.get_service_model(service).operation_model(operation)
    parsed = botocore.parsers.create_parser('query').parse(
        {'body': document['body'].encode(), 'headers': {}, 'status_code': document['status']}, model.output_shape)
    parsed.pop('ResponseMetadata', None)
    return parsed
print(json.dumps({
    'identity': parse('sts', 'GetCallerIdentity', documents['identity']),
    'error': parse('iam', 'GetUser', documents['error']),
}, default=str))
`;

describe('query protocol: read back by botocore', HAS_BOTOCORE ? {} : { skip: 'python3 with botocore is not installed (pip install botocore)' }, () => {
  it('parses our result and our error as it parses AWS’s', () => {
    const documents = {
      identity: renderQueryResponse('sts', 'GetCallerIdentity', REQUEST_ID, { Arn: 'arn:aws:iam::123456789012:user/a&b', UserId: 'AIDAEXAMPLE', Account: '123456789012' }),
      error: renderQueryError('iam', { status: 404, code: 'NoSuchEntity', message: 'The user with name <x> cannot be found.' }, REQUEST_ID),
    };
    const parsed = JSON.parse(execFileSync('python3', ['-c', BOTOCORE_PARSE], { input: JSON.stringify(documents), encoding: 'utf8' }));
    assert.deepEqual(parsed.identity, { Arn: 'arn:aws:iam::123456789012:user/a&b', UserId: 'AIDAEXAMPLE', Account: '123456789012' });
    assert.deepEqual(parsed.error.Error, { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The user with name <x> cannot be found.' });
  });
});
