export { environment, environmentWith, TEST_DOMAIN, testNetwork, testPlatform } from './fixtures.js';
export { blankVolatile, withoutMetadata } from './blank.js';
export { testFoundation } from './foundation.js';
export { synthApp, synthScope, synthStack, testApp } from './synth.js';
// the readers the tests use live in @docflow/guardrails; re-exported so a test has one import for JSON
export { containerDefinitionsOf, parsePolicy, resourcesOf, type TerraformJson } from '@docflow/guardrails';
export { at, findResource, onlyResource, rolePolicyStatements } from './terraform-json.js';
export { allowsRequest, type IamRequest } from './iam-request.js';
