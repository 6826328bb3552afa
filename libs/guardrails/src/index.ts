export { looksLikeSecretName, looksLikeSecretValue, SECRET_NAME_PATTERN } from './secrets.js';
export {
  actionsOf,
  containerDefinitionsOf,
  dataSourcesOf,
  parsePolicy,
  resourcesOf,
  type NamedBlock,
  type TerraformBlock,
  type TerraformJson,
} from './terraform-json.js';
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
  MIN_MAX_RECEIVE_COUNT,
  REQUIRED_TAGS,
  type PolicyCheck,
  type PolicyReport,
} from './policy.js';
