import type { Rule } from '../rule.js';
import { auditAndKeyRules } from './audit-and-keys.js';
import { databaseAccessRules } from './database-access.js';
import { ecsRules } from './ecs.js';
import { edgeProtectionRules } from './edge-protection.js';
import { encryptionAndLogRules } from './encryption-and-logs.js';
import { gcpRules } from './gcp.js';
import { iamRules } from './iam.js';
import { loadBalancerRules } from './load-balancers.js';
import { networkRules } from './network.js';
import { pipeRules } from './pipes.js';
import { queueRules } from './queues.js';
import { rdsRules } from './rds.js';
import { s3Rules } from './s3.js';
import { scheduleRules } from './schedules.js';
import { securityGroupRules } from './security-groups.js';
import { tagRules } from './tags.js';

/** Every rule docflow's policy runs, in report order. */
export const RULES: readonly Rule[] = [
  ...rdsRules,
  ...queueRules,
  ...ecsRules,
  ...databaseAccessRules,
  ...scheduleRules,
  ...pipeRules,
  ...loadBalancerRules,
  ...edgeProtectionRules,
  ...securityGroupRules,
  ...networkRules,
  ...s3Rules,
  ...iamRules,
  ...encryptionAndLogRules,
  ...auditAndKeyRules,
  ...tagRules,
  ...gcpRules,
];

export { PRODUCTION_ENVIRONMENTS } from './rds.js';
export { isUnrestrictable, UNRESTRICTABLE_ACTIONS } from './iam.js';
