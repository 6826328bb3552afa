import type { Resource, StackContext } from '../context.js';
import { blocks } from '../values.js';
import { statementsOf, type Statement } from './statements.js';

/** What a role may do, as far as the synthesized stacks tell. */
export interface RolePermissions {
  readonly statements: readonly Statement[];
  /** Policies that grant something the stacks do not show (AWS-managed, or unparsable): never assume them harmless. */
  readonly unreadable: readonly string[];
}

/** The identity policies of `role`: its inline policies, `aws_iam_role_policy` resources and attached managed policies. */
export function permissionsOf(context: StackContext, role: Resource): RolePermissions {
  const statements: Statement[] = [];
  const unreadable: string[] = [];
  const read = (where: string, document: unknown) => {
    try {
      statements.push(...statementsOf(JSON.parse(String(document))));
    } catch {
      unreadable.push(`${where} (not valid JSON)`);
    }
  };
  for (const inline of blocks(role.block['inline_policy'])) read(`${role.address} inline policy`, inline['policy']);
  const sameStack = role.stack;
  const attachedTo = (value: unknown) => context.refersTo(value, role, sameStack) || value === role.block['name'];
  for (const policy of context.environmentResources('aws_iam_role_policy').filter((candidate) => attachedTo(candidate.block['role']))) {
    read(policy.address, policy.block['policy']);
  }
  for (const attachment of context.environmentResources('aws_iam_role_policy_attachment').filter((candidate) => attachedTo(candidate.block['role']))) {
    const managed = context.lookup(context.referenced(attachment.block['policy_arn'], attachment));
    if (managed?.type === 'aws_iam_policy') read(managed.address, managed.block['policy']);
    else unreadable.push(`${String(attachment.block['policy_arn'])} (attached by ${attachment.address})`);
  }
  for (const arn of (role.block['managed_policy_arns'] as unknown[] | undefined) ?? []) unreadable.push(`${String(arn)} (managed_policy_arns)`);
  return { statements, unreadable };
}
