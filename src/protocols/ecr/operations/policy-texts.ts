/** Checks of the policy texts ECR stores for repositories (directly, or through creation templates). */
import { DomainError, isDomainError } from '../../../domain/errors.js';
import { parseLifecyclePolicy } from '../../../domain/lifecycle/index.js';
import { parsePolicyDocument } from '../../../domain/policy/index.js';

/** A repository policy the policy engine accepts; else ECR's InvalidParameterException, with the engine's reason after it. */
export function checkRepositoryPolicy(field: string, text: string): void {
  try {
    parsePolicyDocument(text, 'resource');
  } catch (err) {
    if (!isDomainError(err, 'POLICY_INVALID')) throw err;
    throw new DomainError('POLICY_INVALID', `Invalid parameter at '${field}' failed to satisfy constraint: 'Invalid repository policy provided': ${err.message}`, {
      field,
    });
  }
}

/** A lifecycle policy ECR would accept: the whole rule grammar, with ECR's validation messages. */
export function checkLifecyclePolicy(text: string): void {
  parseLifecyclePolicy(text);
}
