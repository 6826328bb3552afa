import { looksLikeSecretName, looksLikeSecretValue } from '@docflow/secrets';
import { expressionsIn } from '../../references.js';
import type { TerraformBlock } from '../../terraform-json.js';
import { evaluationOf, fail, pass, resourceRule, unknown, type Resource, type Rule, type Verdict } from '../rule.js';
import { blocks, flag } from '../../values.js';
import { parseJsonAttribute } from '../values.js';

/**
 * ECS rules read `container_definitions` as what it is, a JSON string, which Checkov's container
 * checks treat as "not a list" and pass. A string that cannot be parsed is `unknown`, never a pass.
 */
function containersOf(taskDefinition: Resource): { containers: TerraformBlock[] } | { verdict: Verdict } {
  const parsed = parseJsonAttribute<unknown>(taskDefinition.block, 'container_definitions');
  if (!parsed.ok) return { verdict: parsed.verdict };
  if (!Array.isArray(parsed.value)) return { verdict: unknown('container_definitions is not a JSON list') };
  return { containers: parsed.value as TerraformBlock[] };
}

const isFargateStrategy = (strategy: unknown) => blocks(strategy).some((item) => /^FARGATE/.test(String(item['capacity_provider'])));

/** Whether the service or pipe target runs on Fargate (a launch type or a Fargate capacity provider). */
function runsOnFargate(block: TerraformBlock): boolean {
  return block['launch_type'] === 'FARGATE' || isFargateStrategy(block['capacity_provider_strategy']);
}

function platformVersionVerdict(block: TerraformBlock): Verdict | undefined {
  if (!runsOnFargate(block)) return undefined;
  const version = block['platform_version'];
  return version === undefined || version === 'LATEST' ? pass('runs on the LATEST Fargate platform') : fail(`platform_version is pinned to ${String(version)} (use LATEST)`);
}

const pipeEcsParameters = (pipe: Resource): TerraformBlock | undefined => pipe.block['target_parameters']?.['ecs_task_parameters'];

/** A reference to a Terraform variable declared `sensitive`. */
function sensitiveVariableIn(resource: Resource, value: unknown): string | undefined {
  return expressionsIn(value)
    .map((expression) => /^var\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1])
    .find((name) => name !== undefined && resource.stack.json.variable?.[name]?.['sensitive'] === true);
}

/** The finding for one environment list; it names the variable, never its value. */
function secretsInEnvironment(resource: Resource, where: string, environment: unknown): string[] {
  return blocks(environment).flatMap((variable) => {
    const name = String(variable['name']);
    const value = variable['value'];
    if (looksLikeSecretName(name)) return [`${where}: environment variable ${name} looks like a secret (pass it in secrets)`];
    const sensitive = sensitiveVariableIn(resource, value);
    if (sensitive) return [`${where}: environment variable ${name} takes the sensitive variable ${sensitive} (pass it in secrets)`];
    if (typeof value === 'string' && looksLikeSecretValue(value)) return [`${where}: the value of environment variable ${name} looks like a secret (pass it in secrets)`];
    return [];
  });
}

const containerSecrets: Rule = {
  id: 'DOCFLOW_CONTAINER_SECRETS',
  title: 'No secret-looking name or value in a container environment (task definitions, pipe overrides, Cloud Run jobs)',
  evaluate: (context) => [
    ...context.resources('aws_ecs_task_definition').map((task) => {
      const read = containersOf(task);
      if ('verdict' in read) return evaluationOf(task, read.verdict);
      const problems = read.containers.flatMap((container) => secretsInEnvironment(task, `container ${String(container['name'])}`, container['environment']));
      const count = read.containers.reduce((sum, container) => sum + blocks(container['environment']).length, 0);
      return evaluationOf(task, problems.length > 0 ? fail(problems.join('; ')) : pass(`${count} environment variables, none secret-looking`));
    }),
    ...context.resources('aws_pipes_pipe').flatMap((pipe) => {
      const overrides = blocks(pipeEcsParameters(pipe)?.['overrides']?.['container_override']);
      if (overrides.length === 0) return [];
      const problems = overrides.flatMap((override) => secretsInEnvironment(pipe, `override ${String(override['name'])}`, override['environment']));
      return [evaluationOf(pipe, problems.length > 0 ? fail(problems.join('; ')) : pass('no secret-looking override'))];
    }),
    // a Cloud Run job's plain `env` values (a `value_source` from Secret Manager is how a secret arrives)
    ...context.resources('google_cloud_run_v2_job').map((job) => {
      const containers = blocks(blocks(blocks(job.block['template'])[0]?.['template'])[0]?.['containers']);
      const plain = (container: TerraformBlock) => blocks(container['env']).filter((variable) => variable['value_source'] === undefined);
      const problems = containers.flatMap((container) => secretsInEnvironment(job, `container ${String(container['name'] ?? '')}`.trim(), plain(container)));
      const count = containers.reduce((sum, container) => sum + plain(container).length, 0);
      return evaluationOf(job, problems.length > 0 ? fail(problems.join('; ')) : pass(`${count} plain environment variables, none secret-looking`));
    }),
  ],
};

export const ecsRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV_AWS_336',
    title: 'ECS containers have a read-only root filesystem',
    types: ['aws_ecs_task_definition'],
    check: (task) => {
      const read = containersOf(task);
      if ('verdict' in read) return read.verdict;
      const writable = read.containers.filter((container) => flag(container['readonlyRootFilesystem']) !== 'true').map((container) => String(container['name']));
      return writable.length === 0 ? pass(`${read.containers.length} containers, all read-only`) : fail(`container ${writable.join(', ')} has a writable root filesystem`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_249',
    title: 'ECS task and execution roles differ',
    types: ['aws_ecs_task_definition'],
    check: ({ block }) => {
      const [execution, task] = [block['execution_role_arn'], block['task_role_arn']];
      if (execution !== undefined && execution === task) return fail('execution_role_arn and task_role_arn are the same role: the app gets the agent\'s secrets and image access');
      return pass('separate roles');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_333',
    title: 'ECS tasks get no public IP address',
    types: ['aws_ecs_service', 'aws_pipes_pipe'],
    check: (resource) => {
      if (resource.type === 'aws_pipes_pipe') {
        const ecs = pipeEcsParameters(resource);
        if (!ecs) return undefined;
        const assign = ecs['network_configuration']?.['aws_vpc_configuration']?.['assign_public_ip'];
        return assign === 'ENABLED' ? fail('the pipe starts its tasks with a public IP (assign_public_ip ENABLED)') : pass('the pipe starts its tasks without a public IP');
      }
      const assign = flag(blocks(resource.block['network_configuration'])[0]?.['assign_public_ip']);
      if (assign === 'expression') return unknown('assign_public_ip is computed at apply time');
      return assign === 'true' ? fail('assign_public_ip is true: every task gets a public IP address') : pass('no public IP');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_332',
    title: 'ECS Fargate tasks run on the LATEST platform version',
    types: ['aws_ecs_service', 'aws_pipes_pipe'],
    check: (resource) => {
      if (resource.type === 'aws_ecs_service') return platformVersionVerdict(resource.block);
      const ecs = pipeEcsParameters(resource);
      return ecs ? platformVersionVerdict(ecs) : undefined;
    },
  }),
  resourceRule({
    id: 'CKV_AWS_65',
    title: 'ECS clusters have Container Insights',
    types: ['aws_ecs_cluster'],
    check: ({ block }) => {
      const setting = blocks(block['setting']).find((candidate) => candidate['name'] === 'containerInsights');
      return ['enabled', 'enhanced'].includes(String(setting?.['value'])) ? pass(`containerInsights ${String(setting?.['value'])}`) : fail('containerInsights is not enabled');
    },
  }),
  containerSecrets,
];
