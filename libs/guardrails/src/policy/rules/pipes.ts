import type { TerraformBlock } from '../../terraform-json.js';
import { evaluationOf, fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext } from '../rule.js';
import { blocks, numberOf, strings } from '../../values.js';
import { actionCovers } from '../../iam/statements.js';
import { permissionsOf } from '../../iam/roles.js';

/** What Pipes reads per batch from SQS when `batch_size` is not set. */
const DEFAULT_SQS_BATCH_SIZE = 10;
/** The only dynamic value a pipe may hand to a task: the claim-check message body (RunTask overrides are capped at 8192 characters). */
const MESSAGE_BODY = '$.body';

const ecsTarget = (pipe: Resource): TerraformBlock | undefined => pipe.block['target_parameters']?.['ecs_task_parameters'];

/** A rule over pipes that target ECS tasks. */
function pipeRule(id: string, title: string, check: (pipe: Resource, ecs: TerraformBlock, context: StackContext) => ReturnType<typeof pass>): Rule {
  return resourceRule({
    id,
    title,
    types: ['aws_pipes_pipe'],
    check: (pipe, context) => {
      const ecs = ecsTarget(pipe);
      return ecs ? check(pipe, ecs, context) : undefined;
    },
  });
}

/** The Allow statements that grant an action `matches` accepts (NotAction grants nearly everything). */
function granting(statements: ReturnType<typeof permissionsOf>['statements'], matches: (action: string) => boolean) {
  return statements.filter((statement) => statement.effect === 'Allow' && (statement.notAction || statement.actions.some(matches)));
}

const sqsAction = (action: string) => action === '*' || action.toLowerCase().startsWith('sqs:');
const covering = (target: string) => (action: string) => actionCovers(action, target);

export const pipeRules: readonly Rule[] = [
  pipeRule('DOCFLOW_PIPE_LAUNCH_TYPE', 'A pipe to ECS sets a capacity provider strategy and no launch_type', (_pipe, ecs) => {
    const strategy = blocks(ecs['capacity_provider_strategy']);
    if (ecs['launch_type'] !== undefined && strategy.length > 0) return fail(`sets launch_type ${String(ecs['launch_type'])} together with a capacity provider strategy (AWS rejects the pipe)`);
    if (ecs['launch_type'] !== undefined) return fail(`sets launch_type ${String(ecs['launch_type'])} (use a capacity provider strategy, FARGATE_SPOT for the worker)`);
    if (strategy.length === 0) return fail('has no capacity provider strategy');
    return pass(`capacity providers ${strategy.map((item) => String(item['capacity_provider'])).join(', ')}`);
  }),
  pipeRule('DOCFLOW_PIPE_BATCH', 'A pipe from SQS to ECS starts one task per message (batch size 1)', (pipe, _ecs, context) => {
    const sqs = pipe.block['source_parameters']?.['sqs_queue_parameters'] as TerraformBlock | undefined;
    const source = context.lookup(context.referenced(pipe.block['source'], pipe));
    if (!sqs && source?.type !== 'aws_sqs_queue' && !/:sqs:/.test(String(pipe.block['source']))) return pass('not an SQS source');
    const size = numberOf(sqs?.['batch_size']) ?? DEFAULT_SQS_BATCH_SIZE;
    if (Number.isNaN(size)) return unknown('batch_size is computed at apply time');
    return size === 1 ? pass('batch size 1') : fail(`reads ${size} messages per task: $.body no longer names one claim check, and a failed task takes the whole batch with it`);
  }),
  pipeRule('DOCFLOW_PIPE_OVERRIDES', 'A pipe hands a task only $.body, with explicit cpu and memory', (_pipe, ecs) => {
    const overrides = blocks(ecs['overrides']?.['container_override']);
    const problems = overrides.flatMap((override) => {
      const name = String(override['name']);
      const found: string[] = [];
      if (!(Number(override['cpu']) > 0) || !(Number(override['memory']) > 0)) found.push(`override ${name} lacks explicit cpu and memory (the provider would send 0)`);
      for (const variable of blocks(override['environment'])) {
        if (variable['value'] !== MESSAGE_BODY) found.push(`override ${name} sets ${String(variable['name'])} to something other than ${MESSAGE_BODY} (configuration belongs in the task definition, and only the claim check fits the 8 KB override limit)`);
      }
      for (const field of ['command', 'environment_file']) {
        if (strings(override[field]).some((value) => value.includes('$.'))) found.push(`override ${name} passes event data in ${field}`);
      }
      return found;
    });
    return problems.length > 0 ? fail(problems.join('; ')) : pass(`${overrides.length} container overrides, each with cpu, memory and at most ${MESSAGE_BODY}`);
  }),
  {
    id: 'DOCFLOW_PIPE_ROLE',
    title: "A pipe's role reaches one queue and one task family, and passes only that task's roles",
    evaluate: (context) =>
      context.resources('aws_pipes_pipe').flatMap((pipe) => {
        const ecs = ecsTarget(pipe);
        if (!ecs) return [];
        const role = context.lookup(context.referenced(pipe.block['role_arn'], pipe));
        if (role?.type !== 'aws_iam_role') return [evaluationOf(pipe, unknown(`its role ${String(pipe.block['role_arn'])} is not in the synthesized stacks`))];
        const task = context.lookup(context.referenced(ecs['task_definition_arn'], pipe));
        const permissions = permissionsOf(context, role);
        if (permissions.unreadable.length > 0) return [evaluationOf(pipe, unknown(`${role.address} has policies the stacks do not show: ${permissions.unreadable.join(', ')}`))];
        const problems: string[] = [];
        const source = context.lookup(context.referenced(pipe.block['source'], pipe));
        for (const statement of granting(permissions.statements, sqsAction)) {
          const others = statement.resources.filter((resource) => !source || !context.refersTo(resource, source, role));
          if (others.length > 0) problems.push(`SQS actions on ${others.join(', ')} besides its source queue`);
        }
        for (const statement of granting(permissions.statements, covering('ecs:RunTask'))) {
          const others = statement.resources.filter((resource) => !task || !context.refersTo(resource, task, role, true));
          if (others.length > 0) problems.push(`ecs:RunTask on ${others.join(', ')} besides its task family`);
        }
        const taskRoles = task ? [task.block['task_role_arn'], task.block['execution_role_arn']].map((value) => context.lookup(context.referenced(value, task))) : [];
        for (const statement of granting(permissions.statements, covering('iam:PassRole'))) {
          const others = statement.resources.filter((resource) => !taskRoles.some((taskRole) => taskRole && context.refersTo(resource, taskRole, role)));
          if (others.length > 0) problems.push(`iam:PassRole on ${others.join(', ')} besides its task's roles`);
        }
        const anywhere = permissions.statements.filter((statement) => statement.effect === 'Allow' && statement.resources.includes('*'));
        if (anywhere.length > 0) problems.push(`${anywhere.flatMap((statement) => statement.actions).join(', ')} on "*"`);
        if (!source) problems.push(`its source ${String(pipe.block['source'])} is not in the synthesized stacks`);
        return [evaluationOf(pipe, problems.length > 0 ? (source ? fail(`${role.address} allows ${problems.join('; ')}`) : unknown(problems.join('; '))) : pass(`${role.address} reaches ${source?.address} and ${task?.address} only`))];
      }),
  },
];
