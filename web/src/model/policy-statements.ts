/** The statement builder's grants: which ecr: actions "pull" and "push and pull" need, and adding a statement to a policy text. */

export const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
export const PUSH_ACTIONS = [...PULL_ACTIONS, 'ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'];

export type Grant = 'pull' | 'push';

const ACCOUNT_ID = /^\d{12}$/;
const ARN = /^arn:[^:]+:iam::(\d{12}|aws):\S+$/;

/** An account ID becomes the account's root ARN; an IAM ARN or "*" stays as is; anything else is undefined. */
export function principalFor(input: string): string | undefined {
  const value = input.trim();
  if (value === '*') return '*';
  if (ACCOUNT_ID.test(value)) return `arn:aws:iam::${value}:root`;
  return ARN.test(value) ? value : undefined;
}

interface PolicyDocument {
  Version?: string;
  Statement?: unknown;
  [key: string]: unknown;
}

/** `policyText` (empty for a new policy) with an Allow statement for the principals appended, pretty-printed. Throws if the text is not a JSON object. */
export function addGrant(policyText: string, principals: readonly string[], grant: Grant): string {
  const document: PolicyDocument = policyText.trim() === '' ? { Version: '2012-10-17', Statement: [] } : JSON.parse(policyText);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('The policy is not a JSON object.');
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  const baseSid = grant === 'pull' ? 'AllowPull' : 'AllowPushPull';
  const sids = new Set(statements.map((s) => (s as { Sid?: unknown }).Sid));
  let sid = baseSid;
  for (let n = 2; sids.has(sid); n++) sid = `${baseSid}${n}`;
  statements.push({
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: principals.length === 1 ? principals[0] : [...principals] },
    Action: grant === 'pull' ? PULL_ACTIONS : PUSH_ACTIONS,
  });
  return JSON.stringify({ Version: document.Version ?? '2012-10-17', ...document, Statement: statements }, null, 2);
}
