export { environment, environmentWith, testNetwork } from './fixtures.js';
export { blankVolatile, withoutMetadata } from './blank.js';
export {
  checkContainerEnvironment,
  checkDatabases,
  checkIamActions,
  checkIngress,
  checkLogRetention,
  checkPipes,
  checkPolicies,
  checkQueueRedrive,
  checkTags,
  REQUIRED_TAGS,
  type PolicyCheck,
  type PolicyReport,
} from './policy.js';
export { synthApp, synthScope, synthStack, testApp } from './synth.js';
export {
  actionsOf,
  at,
  findResource,
  rolePolicyStatements,
  containerDefinitionsOf,
  dataSourcesOf,
  onlyResource,
  parsePolicy,
  resourcesOf,
  type NamedBlock,
  type TerraformBlock,
  type TerraformJson,
} from './terraform-json.js';
