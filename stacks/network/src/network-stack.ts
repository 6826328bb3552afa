import type { Construct } from 'constructs';
import {
  DocflowStack,
  INTERFACE_ENDPOINT_SERVICES,
  Network,
  resourceName,
  WorkloadSecurityGroups,
} from '@docflow/infra';
import { encryptionKeys, type WorkloadStackProps } from '@docflow/stack-foundation';

/** The workloads that get a security group (and so may be named by the database and the edge). */
export const WORKLOADS = ['api', 'ingest', 'worker'] as const;

/**
 * `<env>-network`: the VPC of the environment's profile, and one security group per workload.
 * Lean: public and isolated database subsets, no NAT, no interface endpoints, tasks with public IPs
 * and HTTPS egress. Standard: private subnets, NAT per the table, interface endpoints, and HTTPS
 * egress only to the VPC endpoints.
 */
export class NetworkStack extends DocflowStack {
  readonly network: Network;
  readonly securityGroups: WorkloadSecurityGroups;

  constructor(scope: Construct, props: WorkloadStackProps) {
    super(scope, 'network', props);
    const { env } = props;
    const keys = encryptionKeys(props.foundation);
    const standard = env.profile === 'standard';
    this.network = new Network(this, 'Network', {
      namePrefix: resourceName(env),
      region: env.region,
      cidrBlock: env.vpcCidr,
      azCount: env.azCount,
      createPrivateSubnets: standard,
      natMode: env.natMode,
      interfaceEndpoints: standard ? INTERFACE_ENDPOINT_SERVICES : [],
      flowLogRetentionDays: env.logRetentionDays,
      // lean keeps the cheaper record of what was refused; standard records everything
      flowLogTrafficType: standard ? 'ALL' : 'REJECT',
      ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
    });
    this.securityGroups = new WorkloadSecurityGroups(this, 'WorkloadSecurityGroups', {
      namePrefix: resourceName(env),
      vpc: this.network.vpc,
      workloads: WORKLOADS,
      egress: standard
        ? { kind: 'vpc-endpoints', vpcCidr: env.vpcCidr, s3Gateway: this.network.endpoints.s3Gateway }
        : { kind: 'https-anywhere' },
    });
  }
}
