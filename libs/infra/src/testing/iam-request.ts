import type { TerraformBlock } from '@docflow/guardrails';

/**
 * One request as IAM sees it, for tests that ask "would these statements allow this?" of a
 * synthesized policy. Only what docflow's policies condition on is modelled: resource and request
 * tags and plain context keys. Terraform references in the policy are replaced by `references`
 * before matching (an account id, a zone id).
 */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  /** Tags the resource carries now (`aws:ResourceTag/<key>`). @default {} */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /** Tags the request sets (`aws:RequestTag/<key>`). @default {} */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** Other condition keys and their values in the request (`iam:PassedToService`, ...). @default {} */
  readonly context?: Readonly<Record<string, string>>;
}

/** The condition operators docflow's policies use; any other makes the evaluation throw, so a test never passes by ignoring a condition. */
const OPERATORS: Record<string, (actual: string | undefined, expected: readonly string[]) => boolean> = {
  StringEquals: (actual, expected) => actual !== undefined && expected.includes(actual),
  StringLike: (actual, expected) => actual !== undefined && expected.some((pattern) => glob(pattern).test(actual)),
  ArnLike: (actual, expected) => actual !== undefined && expected.some((pattern) => glob(pattern).test(actual)),
  ArnEquals: (actual, expected) => actual !== undefined && expected.includes(actual),
  Null: (actual, expected) => expected.includes(String(actual === undefined)),
};

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function valueOf(key: string, request: IamRequest): string | undefined {
  if (key.startsWith('aws:ResourceTag/')) return request.resourceTags?.[key.slice('aws:ResourceTag/'.length)];
  if (key.startsWith('aws:RequestTag/')) return request.requestTags?.[key.slice('aws:RequestTag/'.length)];
  return request.context?.[key];
}

function conditionHolds(condition: Record<string, Record<string, string | string[]>> | undefined, request: IamRequest): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`iam-request: condition operator ${operator} is not modelled`);
    return Object.entries(keys).every(([key, expected]) => test(valueOf(key, request), Array.isArray(expected) ? expected : [expected]));
  });
}

function matches(statement: TerraformBlock, request: IamRequest, references: Readonly<Record<string, string>>): boolean {
  const resolve = (text: string) => Object.entries(references).reduce((resolved, [reference, value]) => resolved.split(reference).join(value), text);
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
  const actions = list(statement['Action']);
  const resources = list(statement['Resource']).map(resolve);
  return (
    actions.some((action) => glob(action).test(request.action)) &&
    resources.some((resource) => glob(resource).test(request.resource)) &&
    conditionHolds(statement['Condition'] as Record<string, Record<string, string | string[]>> | undefined, request)
  );
}

/** Whether `statements` allow `request`: some Allow matches and no Deny does (identity policies only). */
export function allowsRequest(statements: readonly TerraformBlock[], request: IamRequest, references: Readonly<Record<string, string>> = {}): boolean {
  const matching = statements.filter((statement) => matches(statement, request, references));
  return matching.some((statement) => statement['Effect'] === 'Allow') && !matching.some((statement) => statement['Effect'] === 'Deny');
}
