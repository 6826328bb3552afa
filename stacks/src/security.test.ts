import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, findEnvironment } from '@docflow/infra';
import { evaluatePolicy, loadSynthesizedApp, type PolicyReport } from '@docflow/guardrails';
import { containerDefinitionsOf, testApp } from '@docflow/infra/testing';
import { defineEnvironment } from './app.js';
import { readSettings } from './settings.js';

/**
 * The security issue's acceptance on the synthesized JSON of staging and prod, as `npm run policy`
 * reads it: every point has a rule that judges the real resources and passes, and a weakened
 * database connection fails naming the environment, stack and resource.
 */
const ACCEPTANCE: Readonly<Record<string, readonly string[]>> = {
  'HTTPS on the domain, HTTP only redirects': ['DOCFLOW_HTTPS_CERTIFICATE', 'DOCFLOW_ALB_DOMAIN', 'CKV_AWS_2', 'CKV2_AWS_20'],
  'WAF with managed groups, a rate limit, exceptions scoped to one route each, within its capacity, and logs': [
    'CKV2_AWS_28',
    'DOCFLOW_WAF_MANAGED_RULES',
    'DOCFLOW_WAF_RATE_LIMIT',
    'DOCFLOW_WAF_RULE_EXCEPTIONS',
    'DOCFLOW_WAF_CAPACITY',
    'DOCFLOW_WAF_LOGGING',
  ],
  'ALB access logs': ['CKV_AWS_91', 'DOCFLOW_ALB_ACCESS_LOG_BUCKET'],
  'database users that survive rotation, verified TLS': ['DOCFLOW_DB_MASTER_SECRET', 'DOCFLOW_DB_CONNECTION', 'DOCFLOW_DB_MASTER_ROTATION', 'DOCFLOW_SCHEDULE', 'CKV2_AWS_69'],
  'CI roles that cannot read data': ['DOCFLOW_CI_ROLES'],
  'audit trail and keys': ['DOCFLOW_CLOUDTRAIL', 'DOCFLOW_AUDIT_IN_PRODUCTION', 'DOCFLOW_KMS_KEY_USERS'],
};

/** Rules with nothing to judge in staging: production's audit check, and keys (staging uses AWS-managed ones). */
const PROD_ONLY = ['DOCFLOW_AUDIT_IN_PRODUCTION', 'DOCFLOW_KMS_KEY_USERS'];

function synthesize(envName: 'staging' | 'prod', weaken?: (env: ReturnType<typeof defineEnvironment>) => void): PolicyReport {
  const app = testApp();
  const settings = readSettings(ENVIRONMENTS, { DOCFLOW_ENVIRONMENTS: envName, DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow' });
  const env = defineEnvironment(app, findEnvironment(ENVIRONMENTS, envName), settings);
  weaken?.(env);
  app.synth();
  return evaluatePolicy(loadSynthesizedApp(app.outdir));
}

describe.each(['staging', 'prod'] as const)('%s', (envName) => {
  const report = synthesize(envName);

  it.each(Object.entries(ACCEPTANCE))('THEN %s: each rule judges its resources and passes', (_point, rules) => {
    for (const rule of rules.filter((id) => envName === 'prod' || !PROD_ONLY.includes(id))) {
      const findings = report.findings.filter((finding) => finding.rule === rule);
      expect(findings.length, `${rule} judges nothing in ${envName}`).toBeGreaterThan(0);
      expect(findings.filter((finding) => finding.outcome !== 'pass').map((finding) => `${finding.outcome} ${rule} ${finding.address}: ${finding.message}`)).toEqual([]);
    }
  });

  it('THEN WAF lifts the body rules on ingest\'s document routes only, the SQL injection query rules on the api\'s search only, within 1,150 WCUs', () => {
    const message = (rule: string) => report.findings.filter((finding) => finding.rule === rule).map((finding) => `${finding.stack}: ${finding.message}`);
    expect(message('DOCFLOW_WAF_RULE_EXCEPTIONS')).toEqual([
      'platform: SizeRestrictions_BODY, CrossSiteScripting_BODY, GenericLFI_BODY, GenericRFI_BODY, EC2MetaDataSSRF_BODY, JavaDeserializationRCE_BODY, Log4JRCE_BODY, SQLi_BODY, ' +
        'SQLiExtendedPatterns_BODY lifted only on POST ^/v1/documents(:batch)?$; SQLi_QUERYARGUMENTS, SQLiExtendedPatterns_QUERYARGUMENTS lifted only on GET ^/v1/documents$',
    ]);
    expect(message('DOCFLOW_WAF_CAPACITY')).toEqual(['platform: 1150 WCUs of the 1500 the base price includes']);
  });

  it('THEN the connection rule covered the api, the worker and the db-admin task, and no other task reaches the database', () => {
    const judged = report.findings.filter((finding) => finding.rule === 'DOCFLOW_DB_CONNECTION').map((finding) => `${finding.stack} ${finding.constructPath ?? ''}`);
    expect(judged.sort()).toEqual([`api ${envName}-api/DatabaseAdmin/Task/TaskDefinition`, `api ${envName}-api/Service/Task/TaskDefinition`, `worker ${envName}-worker/Worker/Task/TaskDefinition`]);
  });
});

describe('GIVEN the staging worker connecting with DB_SSL=require and a password fixed at start', () => {
  const report = synthesize('staging', (env) => {
    const taskDefinition = env.worker.worker.task.taskDefinition;
    const [container] = containerDefinitionsOf({ container_definitions: taskDefinition.containerDefinitionsInput ?? '[]' }) as { environment: { name: string; value: string }[] }[];
    if (!container) throw new Error('the worker has a container');
    container.environment = container.environment.map((variable) => (variable.name === 'DB_SSL' ? { ...variable, value: 'require' } : variable));
    container.environment.push({ name: 'DATABASE_URL', value: 'postgres://docflow_worker@db/docflow' });
    taskDefinition.addOverride('container_definitions', JSON.stringify([container]));
  });

  it('THEN DOCFLOW_DB_CONNECTION fails, naming the environment, the stack, the resource and both problems', () => {
    const blocking = report.blocking.filter((finding) => finding.rule === 'DOCFLOW_DB_CONNECTION');
    expect(blocking.map(({ env, stack, constructPath }) => ({ env, stack, constructPath }))).toEqual([{ env: 'staging', stack: 'worker', constructPath: 'staging-worker/Worker/Task/TaskDefinition' }]);
    expect(blocking[0]?.message).toBe(
      "container worker connects with DB_SSL=require, not verify-full: the server's certificate is not checked; container worker gets DATABASE_URL when the task starts: the next password rotation locks it out (fetch it per connection through DB_LOGIN_ARN)",
    );
  });
});
