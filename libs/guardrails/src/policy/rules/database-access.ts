import { containerDefinitionsOf, type TerraformBlock } from '../../terraform-json.js';
import { permissionsOf } from '../../iam/roles.js';
import { fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, flag, numberOf } from '../../values.js';

/**
 * docflow's rules for how workloads reach PostgreSQL: each service as its own role with a password
 * it fetches (so a rotation never locks it out), verified TLS, the master user's secret for the
 * database administration task alone, and explicit rotation schedules.
 */

/** How the synthesized JSON names the RDS-managed master secret (a reference to the instance's master_user_secret). */
const MASTER_SECRET = /master_user_secret/;
/** The one task family that logs in as the master user. */
const DATABASE_ADMIN_FAMILY = /-db-admin$/;
/** Settings that fix a password when a task starts: a rotation would lock the service out. */
const FIXED_PASSWORD = ['DB_PASSWORD', 'DATABASE_URL'];

function containersOf(task: Resource): TerraformBlock[] | Verdict {
  try {
    return containerDefinitionsOf(task.block);
  } catch {
    return unknown('container_definitions cannot be read');
  }
}

const rolesOf = (context: StackContext, task: Resource) =>
  [task.block['task_role_arn'], task.block['execution_role_arn']].map((value) => context.lookup(context.referenced(value, task))).filter((role): role is Resource => role !== undefined);

function masterSecretVerdict(context: StackContext, task: Resource): Verdict | undefined {
  const family = String(task.block['family'] ?? '');
  const containers = containersOf(task);
  if (!Array.isArray(containers)) return containers;
  const injected = containers.some((container) => blocks(container['secrets']).some((secret) => MASTER_SECRET.test(String(secret['valueFrom']))) || blocks(container['environment']).some((variable) => MASTER_SECRET.test(String(variable['value']))));
  const granted = rolesOf(context, task).some((role) =>
    permissionsOf(context, role).statements.some((statement) => statement.effect === 'Allow' && statement.actions.includes('secretsmanager:GetSecretValue') && statement.resources.some((resource) => MASTER_SECRET.test(resource))),
  );
  if (!injected && !granted) return pass('never touches the master user\'s secret');
  if (DATABASE_ADMIN_FAMILY.test(family)) return pass('the database administration task, the one that logs in as the master user');
  return fail(`the ${family} task can read the RDS master user's secret (${injected ? 'injected into its container' : 'granted to its role'}): services log in as their own roles; only the db-admin task uses the master`);
}

/** The task definitions of the environment whose roles may write a new version of `secret`. */
function writersOf(context: StackContext, secret: Resource): Resource[] {
  return context.environmentResources('aws_ecs_task_definition').filter((task) =>
    rolesOf(context, task).some((role) =>
      permissionsOf(context, role).statements.some(
        (statement) => statement.effect === 'Allow' && statement.actions.includes('secretsmanager:PutSecretValue') && statement.resources.some((resource) => context.refersTo(resource, secret, role)),
      ),
    ),
  );
}

/** Whether an EventBridge Scheduler schedule of the environment runs `task`. */
function isScheduled(context: StackContext, task: Resource): boolean {
  return context
    .environmentResources('aws_scheduler_schedule')
    .some((schedule) => blocks(schedule.block['target']).some((target) => blocks(target['ecs_parameters']).some((ecs) => context.refersTo(ecs['task_definition_arn'], task, schedule))));
}

function connectionProblems(context: StackContext, task: Resource, container: TerraformBlock): string[] {
  const name = `container ${String(container['name'])}`;
  const environment = new Map(blocks(container['environment']).map((variable) => [String(variable['name']), variable['value']]));
  const secrets = new Set(blocks(container['secrets']).map((secret) => String(secret['name'])));
  const problems: string[] = [];
  const ssl = environment.get('DB_SSL');
  if (ssl !== 'verify-full') problems.push(`${name} connects with DB_SSL=${ssl === undefined ? '(unset)' : String(ssl)}, not verify-full: the server's certificate is not checked`);
  if (environment.get('DB_SSL_CA_FILE') === undefined) problems.push(`${name} names no DB_SSL_CA_FILE (verify-full checks the chain against the RDS CA bundle in the image)`);
  const fixed = FIXED_PASSWORD.filter((variable) => environment.has(variable) || secrets.has(variable));
  if (fixed.length > 0) problems.push(`${name} gets ${fixed.join(', ')} when the task starts: the next password rotation locks it out (fetch it per connection through DB_LOGIN_ARN)`);
  const login = environment.get('DB_LOGIN_ARN');
  if (login === undefined) {
    problems.push(`${name} has no DB_LOGIN_ARN (the secret it reads its password from when a connection opens)`);
    return problems;
  }
  if (DATABASE_ADMIN_FAMILY.test(String(task.block['family'] ?? ''))) return problems;
  const secret = context.lookup(context.referenced(login, task));
  if (secret?.type !== 'aws_secretsmanager_secret') {
    problems.push(`${name}'s DB_LOGIN_ARN is not a Secrets Manager secret of the environment (a service logs in with its own role's secret, never the master's)`);
  } else if (!writersOf(context, secret).some((writer) => isScheduled(context, writer))) {
    problems.push(`${name}'s login secret ${secret.address} is rotated by no scheduled task (no aws_scheduler_schedule runs a task whose role may PutSecretValue on it)`);
  }
  return problems;
}

function connectionVerdict(context: StackContext, task: Resource): Verdict | undefined {
  const containers = containersOf(task);
  if (!Array.isArray(containers)) return containers;
  const connecting = containers.filter((container) => blocks(container['environment']).some((variable) => variable['name'] === 'DB_HOST' || variable['name'] === 'DATABASE_URL'));
  if (connecting.length === 0) return undefined;
  const problems = connecting.flatMap((container) => connectionProblems(context, task, container));
  return problems.length === 0 ? pass('verify-full against the CA bundle, its password fetched per connection from a rotated secret') : fail(problems.join('; '));
}

/** Days Secrets Manager accepts in `automatically_after_days`. */
const ROTATION_DAYS = { min: 1, max: 1000 };

function rotationRulesProblem(rules: TerraformBlock | undefined): string | undefined {
  if (rules === undefined) return 'has no rotation_rules';
  const days = numberOf(rules['automatically_after_days']);
  const expression = rules['schedule_expression'];
  if (days !== undefined && expression !== undefined) return 'sets both automatically_after_days and schedule_expression (Secrets Manager takes one)';
  if (days === undefined && expression === undefined) return 'sets neither automatically_after_days nor schedule_expression';
  if (days !== undefined && (!Number.isInteger(days) || days < ROTATION_DAYS.min || days > ROTATION_DAYS.max)) return `rotates every ${days} days (Secrets Manager takes ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max})`;
  return undefined;
}

function masterRotationVerdict(context: StackContext, instance: Resource): Verdict | undefined {
  if (flag(instance.block['manage_master_user_password']) !== 'true') return undefined;
  const rotations = context
    .environmentResources('aws_secretsmanager_secret_rotation')
    .filter((rotation) => MASTER_SECRET.test(String(rotation.block['secret_id'])) && context.refersTo(rotation.block['secret_id'], instance, rotation, true));
  if (rotations.length === 0) return fail('its RDS-managed master secret has no aws_secretsmanager_secret_rotation: RDS rotates it every 7 days unless the schedule is written down');
  const problems = rotations.flatMap((rotation) => {
    const problem = rotationRulesProblem(blocks(rotation.block['rotation_rules'])[0]);
    return problem === undefined ? [] : [`${rotation.address} ${problem}`];
  });
  return problems.length === 0 ? pass('the master secret\'s rotation schedule is explicit') : fail(problems.join('; '));
}

export const databaseAccessRules: readonly Rule[] = [
  resourceRule({ id: 'DOCFLOW_DB_MASTER_SECRET', title: 'Only the database administration task reads the RDS master user\'s secret', types: ['aws_ecs_task_definition'], check: (task, context) => masterSecretVerdict(context, task) }),
  resourceRule({
    id: 'DOCFLOW_DB_CONNECTION',
    title: 'Containers reach PostgreSQL with verify-full TLS and a password fetched per connection from their own rotated secret',
    types: ['aws_ecs_task_definition'],
    check: (task, context) => connectionVerdict(context, task),
  }),
  resourceRule({ id: 'DOCFLOW_DB_MASTER_ROTATION', title: 'The RDS-managed master secret rotates on an explicit, valid schedule', types: ['aws_db_instance'], check: (instance, context) => masterRotationVerdict(context, instance) }),
];
