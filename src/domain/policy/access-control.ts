import { DomainError } from '../errors.js';
import { type AccountScope, repositoryArn } from '../model/arn.js';
import type { ResourceTag } from '../model/repository-settings.js';
import { type AccessGeneration, GenerationalCache } from '../identity/access-generation.js';
import type { Caller } from '../identity/caller.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { authorize, type ConditionContext, parsePolicyDocument, type PolicyDocument } from './index.js';

/** What a request acts on. */
export type AccessResource =
  /** A repository, existing or about to be created. */
  | { kind: 'repository'; name: string }
  /**
   * Account-level ECR actions (DescribeRegistry, registry policy…): resource "*" in the registry's
   * account, or in `account` for actions a caller takes in its own account (GetAuthorizationToken).
   */
  | { kind: 'registry'; account?: string }
  /** An IAM user or role (iam:*, sts:AssumeRole), with the role's trust policy when assuming it. */
  | { kind: 'identity'; arn: string; account: string; trustPolicy?: string };

export interface AccessRequest {
  caller: Caller;
  action: string;
  resource: AccessResource;
  sourceIp: string;
  secureTransport: boolean;
  /** Tags the request sets (CreateRepository, TagResource): aws:RequestTag/* and aws:TagKeys. */
  requestTags?: ResourceTag[];
  /** Tag keys the request removes (UntagResource): aws:TagKeys. */
  tagKeys?: string[];
}

export type Verdict = 'allowed' | 'explicit-deny-identity' | 'explicit-deny-resource' | 'no-identity-allow' | 'no-resource-allow';

/** Registry document kinds that hold access state. */
export const REGISTRY_POLICY_DOCUMENT = 'registry-policy';
export const REGISTRY_POLICY_SCOPE_SETTING = 'account-setting:REGISTRY_POLICY_SCOPE';
/**
 * Condition keys (and policy variables) whose values change with the clock: a decision that read a
 * policy mentioning one is not cached. Everything else a decision depends on is in the cache key or
 * bumps the access generation when it changes.
 */
const TIME_DEPENDENT_KEYS = /aws:(CurrentTime|EpochTime|TokenIssueTime|MultiFactorAuthAge)/i;

/** With REGISTRY_POLICY_SCOPE V1 (ECR's default) the registry policy governs only these actions. */
const REGISTRY_POLICY_V1_ACTIONS = new Set(['ecr:replicateimage', 'ecr:batchimportupstreamimage', 'ecr:createrepository']);

interface RepositoryAccessState {
  exists: boolean;
  policy?: PolicyDocument<'resource'>;
  tags: ResourceTag[];
}

interface RegistryAccessState {
  policy?: PolicyDocument<'resource'>;
  scope: 'V1' | 'V2';
}

/**
 * The one authorisation engine: every OCI, ECR, IAM and STS request becomes an AccessRequest and is
 * decided here with AWS's rules — an explicit Deny anywhere wins; within the registry's account an
 * Allow from the identity policies or a resource policy suffices; across accounts both must allow.
 * Policies and tags are cached per access generation, so changes apply at once on this node.
 */
export class AccessControl {
  readonly #identityPolicies: GenerationalCache<string, PolicyDocument<'identity'>[]>;
  readonly #repositories: GenerationalCache<string, RepositoryAccessState>;
  readonly #registry: GenerationalCache<'registry', RegistryAccessState>;
  readonly #decisions: GenerationalCache<string, { verdict: Verdict; cacheable: boolean }>;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly scope: AccountScope,
    private readonly clock: Clock,
    private readonly generation: AccessGeneration,
  ) {
    this.#identityPolicies = new GenerationalCache(generation);
    this.#repositories = new GenerationalCache(generation);
    this.#registry = new GenerationalCache(generation, 1);
    this.#decisions = new GenerationalCache(generation, 50_000);
  }

  /** Throws DENIED, naming who was denied which action on which resource, as AWS words it. Synchronous for a cached decision. */
  authorize(request: AccessRequest): void | Promise<void> {
    const verdict = this.decide(request);
    return verdict instanceof Promise ? verdict.then((decided) => this.enforce(request, decided)) : this.enforce(request, verdict);
  }

  isAllowed(request: AccessRequest): boolean | Promise<boolean> {
    const verdict = this.decide(request);
    return verdict instanceof Promise ? verdict.then((decided) => decided === 'allowed') : verdict === 'allowed';
  }

  private enforce(request: AccessRequest, verdict: Verdict): void {
    if (verdict !== 'allowed') throw denied(request, this.resourceArnOf(request.resource), verdict);
  }

  /**
   * Whether the request would be allowed if `policyText` were its repository's policy: ECR refuses,
   * unless forced, a repository policy that would keep its author from setting the next one.
   */
  async wouldBeAllowedUnder(request: AccessRequest, policyText: string): Promise<boolean> {
    return (await this.decide(request, parsePolicyDocument(policyText, 'resource'))) === 'allowed';
  }

  /**
   * Call after a change that bumped the access generation in its own transaction (a repository's
   * policy or tags, a deleted repository) has committed: this process's caches reload at once,
   * instead of within a second as other processes' do.
   */
  async noticeChanges(): Promise<void> {
    this.generation.observe(await this.metadata.getAccessGeneration());
  }

  /**
   * The verdict, from the decision cache when the same caller asked the same thing from the same place
   * in this access generation. Requests that set tags, and candidate policies, are always evaluated.
   */
  decide(request: AccessRequest, candidateRepositoryPolicy?: PolicyDocument<'resource'>): Verdict | Promise<Verdict> {
    if (candidateRepositoryPolicy || request.requestTags || request.tagKeys) return this.evaluate(request, candidateRepositoryPolicy).then((evaluation) => evaluation.verdict);
    const { caller, action, resource } = request;
    const key = `${caller.accessKeyId}\n${caller.arn}\n${action}\n${this.resourceArnOf(resource)}\n${resource.kind === 'registry' ? (resource.account ?? '') : ''}\n${request.sourceIp}\n${request.secureTransport}`;
    const decided = this.#decisions.get(key, () => this.evaluate(request), (evaluation) => evaluation.cacheable);
    return decided instanceof Promise ? decided.then((evaluation) => evaluation.verdict) : decided.verdict;
  }

  /** Evaluates the policies that apply; the verdict may be cached unless a policy reads the time. */
  private async evaluate(request: AccessRequest, candidateRepositoryPolicy?: PolicyDocument<'resource'>): Promise<{ verdict: Verdict; cacheable: boolean }> {
    const { caller, action, resource } = request;
    const [identityPolicies, resourceState] = await Promise.all([
      caller.kind === 'root' ? Promise.resolve([]) : this.identityPoliciesOf(caller.policySubjectArn),
      this.resourceStateOf(request, candidateRepositoryPolicy),
    ]);
    const decision = authorize({
      action,
      resource: this.resourceArnOf(resource),
      resourceAccount: resource.kind === 'repository' ? this.scope.account : (resource.account ?? this.scope.account),
      principal: {
        arn: caller.arn,
        account: caller.account,
        userId: caller.userId,
        ...(caller.kind === 'root' && { isRoot: true }),
        ...(caller.kind === 'assumed-role' && { roleArn: caller.policySubjectArn }),
        ...(caller.username !== undefined && { username: caller.username }),
      },
      identityPolicies,
      ...(resourceState.policy && { resourcePolicy: resourceState.policy }),
      context: this.contextOf(request, resourceState.tags),
    });
    const consulted = resourceState.policy ? [...identityPolicies, resourceState.policy] : identityPolicies;
    const cacheable = !consulted.some((document) => TIME_DEPENDENT_KEYS.test(document.text));
    if (decision.allowed) return { verdict: 'allowed', cacheable };
    if (decision.reason === 'explicitDeny') return { verdict: decision.policyType === 'resource' ? 'explicit-deny-resource' : 'explicit-deny-identity', cacheable };
    return { verdict: decision.policyType === 'resource' ? 'no-resource-allow' : 'no-identity-allow', cacheable };
  }

  resourceArnOf(resource: AccessResource): string {
    switch (resource.kind) {
      case 'repository':
        return repositoryArn(this.scope, resource.name);
      case 'registry':
        return '*';
      case 'identity':
        return resource.arn;
    }
  }

  private identityPoliciesOf(subjectArn: string): PolicyDocument<'identity'>[] | Promise<PolicyDocument<'identity'>[]> {
    return this.#identityPolicies.get(subjectArn, async () =>
      (await this.metadata.listInlinePolicies(subjectArn)).map((p) => parsePolicyDocument(p.document, 'identity')),
    );
  }

  /** The resource policy that applies (the registry's, when in scope, and the repository's, as one) and the resource's tags. */
  private async resourceStateOf(
    request: AccessRequest,
    candidateRepositoryPolicy?: PolicyDocument<'resource'>,
  ): Promise<{ policy?: PolicyDocument<'resource' | 'trust'>; tags: ResourceTag[] }> {
    const { resource, action } = request;
    if (resource.kind === 'identity') {
      return { ...(resource.trustPolicy !== undefined && { policy: parsePolicyDocument(resource.trustPolicy, 'trust') }), tags: [] };
    }
    const registry = await this.#registry.get('registry', () => this.loadRegistryState());
    const registryPolicy = registry.policy && (registry.scope === 'V2' || REGISTRY_POLICY_V1_ACTIONS.has(action.toLowerCase())) ? registry.policy : undefined;
    if (resource.kind === 'registry') return { ...(registryPolicy && { policy: registryPolicy }), tags: [] };
    // A repository about to be created (create-on-push) is not cached while missing: its state comes with it.
    const repository = await this.#repositories.get(resource.name, () => this.loadRepositoryState(resource.name), (state) => state.exists);
    const repositoryPolicy = candidateRepositoryPolicy ?? repository.policy;
    const policy = registryPolicy && repositoryPolicy ? mergeResourcePolicies(registryPolicy, repositoryPolicy) : (repositoryPolicy ?? registryPolicy);
    return { ...(policy && { policy }), tags: repository.tags };
  }

  private async loadRegistryState(): Promise<RegistryAccessState> {
    const [policy, scope] = await Promise.all([
      this.metadata.getRegistryDocument(REGISTRY_POLICY_DOCUMENT),
      this.metadata.getRegistryDocument(REGISTRY_POLICY_SCOPE_SETTING),
    ]);
    return { ...(policy && { policy: parsePolicyDocument(policy.text, 'resource') }), scope: scope?.text === 'V2' ? 'V2' : 'V1' };
  }

  private async loadRepositoryState(name: string): Promise<RepositoryAccessState> {
    const repository = await this.metadata.getRepository(name);
    if (!repository) return { exists: false, tags: [] };
    const [policy, tags] = await Promise.all([this.metadata.getRepositoryDocument(repository.id, 'policy'), this.metadata.getRepositoryTags(repository.id)]);
    return { exists: true, ...(policy && { policy: parsePolicyDocument(policy.text, 'resource') }), tags };
  }

  /** Request keys; the engine derives the principal's own keys (aws:PrincipalArn, aws:username…) from the principal. */
  private contextOf(request: AccessRequest, resourceTags: ResourceTag[]): ConditionContext {
    const now = this.clock.now();
    const context: ConditionContext = {
      'aws:SourceIp': request.sourceIp,
      'aws:SecureTransport': request.secureTransport,
      'aws:CurrentTime': now,
      'aws:EpochTime': Math.floor(now.getTime() / 1000),
      'aws:RequestedRegion': this.scope.region,
    };
    for (const tag of resourceTags) {
      context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
      context[`ecr:ResourceTag/${tag.Key}`] = tag.Value;
    }
    for (const tag of request.requestTags ?? []) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
    const tagKeys = request.tagKeys ?? request.requestTags?.map((t) => t.Key);
    if (tagKeys) context['aws:TagKeys'] = tagKeys;
    return context;
  }
}

/** The registry policy and a repository policy decide together, as one resource policy. */
function mergeResourcePolicies(registry: PolicyDocument<'resource'>, repository: PolicyDocument<'resource'>): PolicyDocument<'resource'> {
  return { ...repository, statements: [...registry.statements, ...repository.statements] };
}

function denied(request: AccessRequest, resourceArn: string, verdict: Exclude<Verdict, 'allowed'>): DomainError {
  const { caller, action } = request;
  const why = {
    'explicit-deny-identity': 'with an explicit deny in an identity-based policy',
    'explicit-deny-resource': 'with an explicit deny in a resource-based policy',
    'no-identity-allow': `because no identity-based policy allows the ${action} action`,
    'no-resource-allow': `because no resource-based policy allows the ${action} action`,
  }[verdict];
  return new DomainError('DENIED', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resourceArn} ${why}`, {
    principal: caller.arn,
    action,
    resource: resourceArn,
  });
}
