import { isSame, type Resource, type StackContext } from './context.js';
import { permissionsOf } from './iam/roles.js';
import { actionCovers } from './iam/statements.js';

/**
 * What runs docflow's work, read from the synthesized stacks: which task definitions consume a
 * queue. The policy (visibility timeout) and the cost model (queue requests) both ask.
 */

/** Task definitions that process messages of `queue`: targets of a pipe reading it, or tasks whose role may receive from it. */
export function consumersOf(context: StackContext, queue: Resource): Resource[] {
  const taskDefinitions = context.environmentResources('aws_ecs_task_definition');
  const viaPipes = context
    .environmentResources('aws_pipes_pipe')
    .filter((pipe) => context.refersTo(pipe.block['source'], queue, pipe))
    .map((pipe) => context.lookup(context.referenced(pipe.block['target_parameters']?.['ecs_task_parameters']?.['task_definition_arn'], pipe)))
    .filter((task): task is Resource => task?.type === 'aws_ecs_task_definition');
  const polling = taskDefinitions.filter((task) => {
    const role = context.lookup(context.referenced(task.block['task_role_arn'], task));
    if (role?.type !== 'aws_iam_role') return false;
    return permissionsOf(context, role).statements.some(
      (statement) =>
        statement.effect === 'Allow' &&
        statement.actions.some((action) => actionCovers(action, 'sqs:ReceiveMessage')) &&
        statement.resources.some((resource) => resource === '*' || context.refersTo(resource, queue, task)),
    );
  });
  return [...viaPipes, ...polling].filter((task, index, all) => all.findIndex((other) => isSame(other, task)) === index);
}
