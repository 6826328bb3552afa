export { DeliveryError } from './errors.js';
export { awsCredentialSource, googleCredentialSource, needsAws, needsGoogle, requireAwsCredentials, requireGoogleCredentials } from './credentials.js';
export { buildImage, imageRepositoryVariable, REGISTRY_VARIABLE, repositoryName, type ImageResult } from './image.js';
export { BUNDLE_DIR, imageTag } from './image-tag.js';
export { MASKED, maskSecrets, maskSecretsInText } from './masking.js';
export { placeholders, profileOf, refusePlaceholders, type Placeholder } from './placeholders.js';
export { checkFirstApply, firstApplyNeeds, sdkChecks, type AwsChecks, type FirstApplyNeeds } from './preflight.js';
export { stackPlansFromRun } from './comment/from-run.js';
export { commentTargetFromEnvironment, upsertComment, type CommentResult, type CommentTarget } from './comment/github.js';
export { destructiveChanges, planText } from './comment/plan-text.js';
export { COMMENT_MARKER, cutText, GITHUB_COMMENT_LIMIT, renderPlanComment, shareBudget, type CommentSection, type RenderOptions, type StackPlan } from './comment/render.js';
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
export { synthApp } from './synth.js';
export { lastLines, MIN_TERRAFORM_VERSION, requireTerraform, terraform } from './terraform.js';
export { changedFiles, deployableFiles, formatRunSummary, nxTaskGraph, runStacks, targetGraph, type RunOptions, type RunScope, type RunSummary, type RunSummaryEntry, type TargetGraph, type TaskGraphFile } from './run.js';
export { openWorkspace, parseStackId, readStackJson, requireEnvironment, requireStack, synthesizedStacks, type DeliveryWorkspace, type StackRef, type TerraformConfig } from './workspace.js';
