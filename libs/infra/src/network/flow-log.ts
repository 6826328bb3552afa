import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { FlowLog as AwsFlowLog } from '@cdktf/provider-aws/lib/flow-log/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allow, ServiceRole } from '../core/iam.js';
import { logGroupWithRetention } from '../core/log-group.js';

export type FlowLogTrafficType = 'ALL' | 'REJECT' | 'ACCEPT';

export interface FlowLogProps {
  readonly namePrefix: string;
  readonly vpc: Vpc;
  readonly retentionDays: number;
  readonly trafficType: FlowLogTrafficType;
  /** Encrypts its log group (the key policy must admit CloudWatch Logs). @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
}

/** VPC flow log into its own log group, delivered by a role that may write only there. */
export class FlowLog extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly flowLog: AwsFlowLog;

  constructor(scope: Construct, id: string, props: FlowLogProps) {
    super(scope, id);
    this.logGroup = logGroupWithRetention(this, 'LogGroup', {
      name: `/${props.namePrefix}/vpc-flow-logs`,
      retentionDays: props.retentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    const delivery = new ServiceRole(this, 'DeliveryRole', {
      roleName: `${props.namePrefix}-vpc-flow-logs`,
      servicePrincipal: 'vpc-flow-logs.amazonaws.com',
      description: 'Delivers the VPC flow log to CloudWatch Logs',
      statements: [
        allow(
          ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          [this.logGroup.arn, `${this.logGroup.arn}:log-stream:*`],
        ),
      ],
    });
    this.flowLog = new AwsFlowLog(this, 'FlowLog', {
      vpcId: props.vpc.id,
      trafficType: props.trafficType,
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.logGroup.arn,
      iamRoleArn: delivery.role.arn,
      maxAggregationInterval: 600,
      tags: { Name: `${props.namePrefix}-vpc` },
    });
  }
}
