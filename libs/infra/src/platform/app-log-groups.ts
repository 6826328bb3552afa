import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { pascalCase } from '../core/naming.js';

export interface AppLogGroupsProps {
  readonly namePrefix: string;
  readonly apps: readonly string[];
  readonly retentionDays: number;
  /** Encrypts the log groups (the key policy must admit CloudWatch Logs). @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
}

/** One log group per app (`/<namePrefix>/<app>`), each with a retention. */
export class AppLogGroups extends Construct {
  private readonly groups = new Map<string, CloudwatchLogGroup>();

  constructor(scope: Construct, id: string, props: AppLogGroupsProps) {
    super(scope, id);
    for (const app of props.apps) {
      const idPrefix = pascalCase(app);
      this.groups.set(app, logGroupWithRetention(this, idPrefix, { name: `/${props.namePrefix}/${app}`, retentionDays: props.retentionDays, kmsKeyArn: props.logKmsKeyArn }));
    }
  }

  of(app: string): CloudwatchLogGroup {
    const group = this.groups.get(app);
    if (!group) throw new Error(`AppLogGroups: no log group for "${app}" (have ${[...this.groups.keys()].join(', ')})`);
    return group;
  }
}
