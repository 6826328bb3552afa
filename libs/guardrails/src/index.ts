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
export { isUnrestrictable, RULES, PRODUCTION_ENVIRONMENTS } from './policy/rules/index.js';
export { DOCFLOW_WAIVERS } from './policy/docflow-waivers.js';
export { MANAGED_RULE_LABELS, managedRuleLabel, REQUIRED_MANAGED_RULE_GROUPS, WEB_ACL_INCLUDED_CAPACITY, type ManagedRuleGroupName } from './policy/waf-managed-rules.js';
export { MIN_MAX_RECEIVE_COUNT, PROCESSING_TIMEOUT_TAG, REQUIRED_TAGS, VISIBILITY_TIMEOUT_FACTOR } from './policy/thresholds.js';
export type { Rule, Status, Evaluation } from './policy/rule.js';
export { waiverEnd, type Waiver } from './policy/waivers.js';
export { estimateCost, GCP_NOT_PRICED, monthlyTotal, type CostEstimate, type CostOptions, type EnvironmentCost, type ResourceCost, type StackCost, type UnpricedResource } from './cost/estimate.js';
export { compareCosts, type CostComparison, type CostDelta, type EnvironmentDelta, type ItemDelta } from './cost/compare.js';
export type { CostLine } from './cost/model.js';
export { HOURS_PER_MONTH, OTHER_REGION_PRICES, PRICES, priceIn, RDS_POSTGRES_INSTANCE_HOUR, REGION as PRICE_REGION, TAKEN_ON as PRICES_TAKEN_ON, type Price } from './cost/prices.js';
export { USAGE, usageFor, type UsageAssumptions } from './cost/usage.js';
export { policyHeadline, policyMarkdown, policyText } from './report/policy.js';
export { costHeadline, costMarkdown, costText } from './report/cost.js';
export { diffApps, type Action, type AppDiff, type AttributeChange, type BlockChange, type DiffSummary, type Mask, type StackChange } from './config-diff/diff.js';
export { diffAgainstRef, type ConfigDiff, type ConfigDiffOptions } from './config-diff/config-diff.js';
export { configDiffHeadline, configDiffMarkdown, configDiffText } from './report/config-diff.js';
export { linkNodeModules, mergeBase, resolveCommit, synthesizeRef, type RefSynthesisOptions } from './git-ref.js';
