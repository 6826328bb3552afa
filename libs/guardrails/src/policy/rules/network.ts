import { fail, pass, resourceRule, type Rule } from '../rule.js';

export const networkRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV2_AWS_11',
    title: 'Every VPC has a flow log',
    types: ['aws_vpc'],
    check: (vpc, context) => {
      const logs = context.environmentResources('aws_flow_log').filter((log) => context.refersTo(log.block['vpc_id'], vpc, log));
      return logs.length > 0 ? pass(`flow log ${logs[0]?.address} (${String(logs[0]?.block['traffic_type'])})`) : fail('no flow log: rejected and accepted traffic leave no trace');
    },
  }),
];
