export {
  containerDefinitionsOf,
  parsePolicy,
  resourcesOf,
  type NamedBlock,
  type TerraformBlock,
  type TerraformJson,
} from './terraform-json.js';
export { GuardrailsError } from './errors.js';
export { appFromStacks, environmentsOf, loadSynthesizedApp, selectEnvironments, type SynthesizedApp, type SynthesizedStack } from './synthesized.js';
export { checkStack, checkStacks, evaluatePolicy, type Finding, type PolicyOptions, type PolicyReport, type PolicySummary, type RuleSummary, type WaiverStatus } from './policy/engine.js';
export { RULES, PRODUCTION_ENVIRONMENTS } from './policy/rules/index.js';
export { DOCFLOW_WAIVERS } from './policy/docflow-waivers.js';
export { MIN_MAX_RECEIVE_COUNT, PROCESSING_TIMEOUT_TAG, REQUIRED_TAGS, VISIBILITY_TIMEOUT_FACTOR } from './policy/thresholds.js';
export type { Rule, Status, Evaluation } from './policy/rule.js';
export { waiverEnd, type Waiver } from './policy/waivers.js';
