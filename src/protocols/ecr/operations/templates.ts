import type { CreationTemplate, CreationTemplateInput } from '../../../domain/model/creation-template.js';
import type { RepositoryCreationTemplate } from '../model/ecr-model.generated.js';
import type { EcrDeps, EcrHandlers } from './index.js';
import { checkLifecyclePolicy, checkRepositoryPolicy } from './policy-texts.js';
import { exclusionFiltersIfAny } from './repositories.js';

/** Repository creation templates: the settings repositories created on the registry's behalf (create on push) start with. */
export function creationTemplateHandlers(deps: EcrDeps): EcrHandlers {
  const templates = () => deps.registry.creationTemplates;
  const registryId = () => deps.scope.account;
  return {
    CreateRepositoryCreationTemplate: async ({ prefix, ...settings }) => {
      checkTemplatePolicies(settings);
      return { registryId: registryId(), repositoryCreationTemplate: templateOutput(await templates().create(prefix, settings)) };
    },
    DescribeRepositoryCreationTemplates: async ({ prefixes, maxResults, nextToken }) => {
      const page = await templates().describe({ prefixes, maxResults, nextToken });
      return { registryId: registryId(), repositoryCreationTemplates: page.templates.map(templateOutput), nextToken: page.nextToken };
    },
    UpdateRepositoryCreationTemplate: async ({ prefix, ...settings }) => {
      checkTemplatePolicies(settings);
      return { registryId: registryId(), repositoryCreationTemplate: templateOutput(await templates().update(prefix, settings)) };
    },
    DeleteRepositoryCreationTemplate: async ({ prefix }) => ({ registryId: registryId(), repositoryCreationTemplate: templateOutput(await templates().delete(prefix)) }),
  };
}

/** The policies a template gives its repositories are checked as if set on a repository; empty (removing one) is not a policy. */
function checkTemplatePolicies({ repositoryPolicy, lifecyclePolicy }: CreationTemplateInput): void {
  if (repositoryPolicy) checkRepositoryPolicy('repositoryPolicy', repositoryPolicy);
  if (lifecyclePolicy) checkLifecyclePolicy(lifecyclePolicy);
}

function templateOutput(template: CreationTemplate): RepositoryCreationTemplate {
  return { ...template, imageTagMutabilityExclusionFilters: exclusionFiltersIfAny(template) };
}
