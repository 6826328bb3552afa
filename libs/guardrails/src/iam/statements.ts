import type { TerraformBlock } from '../terraform-json.js';
import { blocks, strings } from '../values.js';

/**
 * IAM policy statements in one shape, whether they come from a JSON policy document (a role
 * policy, a bucket or queue policy) or from an `aws_iam_policy_document` data source.
 */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** The statement uses NotAction: it allows every action but those listed. */
  readonly notAction: boolean;
  readonly resources: readonly string[];
  /** Principals as `<kind>:<value>` (`AWS:*`, `Service:ecs-tasks.amazonaws.com`), `*` for `"Principal": "*"`. */
  readonly principals: readonly string[];
  readonly conditionKeys: readonly string[];
  readonly condition: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The statements of a parsed JSON policy document. */
export function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  return blocks(statements).map((statement) => {
    const condition = (statement['Condition'] ?? {}) as Record<string, Record<string, unknown>>;
    return {
      effect: statement['Effect'] === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(statement['Action'] ?? statement['NotAction']),
      notAction: statement['NotAction'] !== undefined,
      resources: strings(statement['Resource'] ?? statement['NotResource']),
      principals: principalsOf(statement['Principal']),
      conditionKeys: Object.values(condition).flatMap((entries) => Object.keys(entries ?? {})),
      condition,
    };
  });
}

/** The statements of an `aws_iam_policy_document` data source (`statement` blocks, lower-case keys). */
export function dataDocumentStatements(block: TerraformBlock): Statement[] {
  return blocks(block['statement']).map((statement) => {
    const conditions = blocks(statement['condition']);
    return {
      effect: statement['effect'] === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(statement['actions'] ?? statement['not_actions']),
      notAction: statement['not_actions'] !== undefined,
      resources: strings(statement['resources'] ?? statement['not_resources']),
      principals: blocks(statement['principals']).flatMap((principal) => strings(principal['identifiers']).map((id) => `${String(principal['type'])}:${id}`)),
      conditionKeys: conditions.map((condition) => String(condition['variable'])),
      condition: Object.fromEntries(conditions.map((condition) => [String(condition['test']), { [String(condition['variable'])]: condition['values'] }])),
    };
  });
}

function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [String(principal)];
  return Object.entries(principal as Record<string, unknown>).flatMap(([kind, values]) => strings(values).map((value) => `${kind}:${value}`));
}

/** Whether an IAM action pattern (`s3:Get*`, `*`) covers `action`; IAM matches case-insensitively. */
export function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

/** A principal anyone on the internet matches (`*`, `AWS:*`). */
export function isAnyPrincipal(principal: string): boolean {
  return principal === '*' || principal === 'AWS:*';
}

/**
 * Condition keys that tie a public principal to one account, organization, network or source, as
 * policyuniverse (which Checkov uses) recognizes them: with one, a statement is not internet-accessible.
 */
export const RESTRICTING_CONDITION_KEYS = [
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:userid',
];

/** An Allow statement open to any principal with no condition that narrows who that is. */
export function isInternetAccessible(statement: Statement): boolean {
  return (
    statement.effect === 'Allow' &&
    statement.principals.some(isAnyPrincipal) &&
    !statement.conditionKeys.some((key) => RESTRICTING_CONDITION_KEYS.includes(key.toLowerCase()))
  );
}
