import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';

/** The account id of the stack `scope` belongs to (one caller-identity data source per stack). */
export function accountIdOf(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild('CallerIdentity');
  const identity = existing instanceof DataAwsCallerIdentity ? existing : new DataAwsCallerIdentity(stack, 'CallerIdentity');
  return identity.accountId;
}

