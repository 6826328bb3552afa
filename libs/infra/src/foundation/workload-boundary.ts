import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { policyDocument, WORKLOAD_BOUNDARY_ACTIONS, workloadBoundaryName } from '../core/iam.js';

export interface WorkloadBoundaryProps {
  readonly envName: string;
}

/**
 * The permissions boundary of every docflow workload role of an environment: exactly the actions
 * the workloads use (`WORKLOAD_BOUNDARY_ACTIONS`), nothing else. Every role the other stacks create
 * names it, so it must exist before their first apply: the foundation stack owns it, and nothing
 * else creates it.
 */
export class WorkloadBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: WorkloadBoundaryProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, 'Policy', {
      name: workloadBoundaryName(props.envName),
      description: `Permissions boundary of every docflow ${props.envName} workload role`,
      policy: policyDocument([{ Sid: 'WorkloadActions', Effect: 'Allow', Action: WORKLOAD_BOUNDARY_ACTIONS, Resource: ['*'] }]),
    });
  }

  /** The boundary's ARN (a reference: a stack that uses it depends on the foundation stack). */
  get arn(): string {
    return this.policy.arn;
  }
}
