export { DeliveryError } from './errors.js';
export { awsCredentialSource, needsAws, requireAwsCredentials } from './credentials.js';
export { buildImage, REGISTRY_VARIABLE, repositoryName, type ImageResult } from './image.js';
export { BUNDLE_DIR, imageTag } from './image-tag.js';
export { MASKED, maskSecrets, maskSecretsInText } from './masking.js';
export { changeKind, countPlan, hasChanges, type Change, type ChangeKind, type PlanAction, type PlanCounts, type PlanJson, type ResourceChange } from './plan.js';
export {
  deployStack,
  describeCounts,
  destroyStack,
  diffStack,
  lastResult,
  PLAN_FILE,
  PLAN_JSON_FILE,
  PROTECTED_ENVIRONMENTS,
  RUN_DIR_VARIABLE,
  type StackAction,
  type StackOutcome,
  type StackResult,
} from './stack-ops.js';
export { constructPaths, exploreStack, exploreState, exploreStateFile, pullState, type StateReport, type TerraformState } from './state/explorer.js';
export { formatStateReport } from './state/format.js';
export { describeSynthesized, synthApp } from './synth.js';
export { lastLines, MIN_TERRAFORM_VERSION, requireTerraform, terraform } from './terraform.js';
export { openWorkspace, parseStackId, readStackJson, requireEnvironment, requireStack, synthesizedStacks, type DeliveryWorkspace, type StackRef, type TerraformConfig } from './workspace.js';
