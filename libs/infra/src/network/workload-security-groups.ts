import { Construct } from 'constructs';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import type { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint/index.js';
import { allowEgress, emptySecurityGroup } from '../core/security-group.js';
import { pascalCase } from '../core/naming.js';

/**
 * Where a workload may open connections (besides the rules other constructs add, such as the
 * database's 5432):
 * - `vpc-endpoints`: HTTPS to the VPC (interface endpoints) and to S3 through the gateway endpoint's
 *   prefix list, nothing on the internet (standard: every AWS API docflow calls has an endpoint);
 * - `https-anywhere`: HTTPS to any address, for tasks in public subnets that reach AWS APIs over the
 *   internet (lean: interface endpoints would cost more than the whole environment).
 */
export type WorkloadEgress =
  | { readonly kind: 'vpc-endpoints'; readonly vpcCidr: string; readonly s3Gateway: VpcEndpoint }
  | { readonly kind: 'https-anywhere' };

export interface WorkloadSecurityGroupsProps {
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** One group per workload (api, ingest, worker). */
  readonly workloads: readonly string[];
  readonly egress: WorkloadEgress;
}

/**
 * One security group per workload, created with the network so that the database (data stack) and
 * the edge (platform stack) can name exactly who may reach them. No ingress until a rule is added.
 */
export class WorkloadSecurityGroups extends Construct {
  private readonly groups = new Map<string, SecurityGroup>();

  constructor(scope: Construct, id: string, props: WorkloadSecurityGroupsProps) {
    super(scope, id);
    if (new Set(props.workloads).size !== props.workloads.length) {
      throw new Error(`WorkloadSecurityGroups: workloads must be unique, got ${props.workloads.join(', ')}`);
    }
    for (const workload of props.workloads) {
      const idPrefix = pascalCase(workload);
      const group = emptySecurityGroup(this, idPrefix, {
        name: `${props.namePrefix}-${workload}`,
        description: `${workload} tasks`,
        vpcId: props.vpc.id,
      });
      if (props.egress.kind === 'vpc-endpoints') {
        allowEgress(this, `${idPrefix}HttpsToVpc`, group, {
          peer: { cidr: props.egress.vpcCidr },
          port: 443,
          description: 'HTTPS to the interface endpoints',
        });
        allowEgress(this, `${idPrefix}HttpsToS3`, group, {
          peer: { prefixListId: props.egress.s3Gateway.prefixListId },
          port: 443,
          description: 'HTTPS to S3 through the gateway endpoint (documents, ECR layers)',
        });
      } else {
        allowEgress(this, `${idPrefix}HttpsOut`, group, {
          peer: { cidr: '0.0.0.0/0' },
          port: 443,
          description: 'HTTPS to the AWS APIs (no interface endpoints in this profile)',
        });
      }
      this.groups.set(workload, group);
    }
  }

  /** The group of `workload`; throws naming the known workloads. */
  of(workload: string): SecurityGroup {
    const group = this.groups.get(workload);
    if (!group) throw new Error(`WorkloadSecurityGroups: no group for "${workload}" (have ${[...this.groups.keys()].join(', ')})`);
    return group;
  }
}
