import type { TerraformBlock } from '../../terraform-json.js';
import { fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, flag, numberOf } from '../../values.js';
import { requireTrue } from '../values.js';

const LOAD_BALANCERS = ['aws_lb', 'aws_alb'];
const LISTENERS = ['aws_lb_listener', 'aws_alb_listener'];
/** TLS 1.2+ policy name prefixes (Checkov's list, with the TLS 1.3 policies its CloudFormation twin accepts). */
const TLS12_POLICY_PREFIXES = ['ELBSecurityPolicy-FS-1-2', 'ELBSecurityPolicy-TLS-1-2', 'ELBSecurityPolicy-TLS13-1-2', 'ELBSecurityPolicy-TLS13-1-3'];

const isApplication = (block: TerraformBlock) => (block['load_balancer_type'] ?? 'application') === 'application';

/** The HTTPS redirect of a listener's first default action, if it is one. */
function httpsRedirect(listener: TerraformBlock): 'https' | 'other' | 'no-protocol' {
  const action = blocks(listener['default_action'])[0];
  if (action?.['type'] !== 'redirect') return 'other';
  const redirect = blocks(action['redirect'])[0];
  if (redirect?.['protocol'] === undefined) return 'no-protocol';
  return redirect['protocol'] === 'HTTPS' ? 'https' : 'other';
}

function listenersOf(context: StackContext, loadBalancer: Resource): Resource[] {
  return LISTENERS.flatMap((type) => context.environmentResources(type)).filter((listener) => context.refersTo(listener.block['load_balancer_arn'], loadBalancer, listener));
}

export const loadBalancerRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV_AWS_2',
    title: 'Load balancer listeners use HTTPS (or redirect HTTP to it)',
    types: LISTENERS,
    check: ({ block }) => {
      const protocol = String(block['protocol'] ?? 'HTTP');
      if (['HTTPS', 'TLS', 'TCP', 'UDP', 'TCP_UDP'].includes(protocol)) return pass(`protocol ${protocol}`);
      const redirect = httpsRedirect(block);
      if (redirect === 'https') return pass('HTTP redirects to HTTPS');
      if (redirect === 'no-protocol') return unknown('the redirect keeps the request protocol (#{protocol}), which may be HTTP');
      return fail(`port ${String(block['port'])} serves plain ${protocol}: requests and API keys cross the network unencrypted`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_103',
    title: 'Load balancer listeners use TLS 1.2 or later',
    types: LISTENERS,
    check: ({ block }) => {
      const protocol = String(block['protocol'] ?? 'HTTP');
      if (protocol === 'HTTPS' || protocol === 'TLS') {
        const policy = String(block['ssl_policy'] ?? '');
        return TLS12_POLICY_PREFIXES.some((prefix) => policy.startsWith(prefix)) ? pass(`ssl_policy ${policy}`) : fail(`ssl_policy ${policy || '(default)'} allows TLS below 1.2`);
      }
      if (['TCP', 'UDP', 'TCP_UDP'].includes(protocol)) return pass(`protocol ${protocol} (no TLS termination)`);
      return httpsRedirect(block) === 'https' ? pass('HTTP redirects to HTTPS') : fail(`plain ${protocol} on port ${String(block['port'])}: no TLS at all`);
    },
  }),
  resourceRule({
    id: 'CKV2_AWS_20',
    title: 'Application load balancers redirect HTTP to HTTPS',
    types: LOAD_BALANCERS,
    check: (loadBalancer, context) => {
      if (!isApplication(loadBalancer.block)) return undefined;
      const plain = listenersOf(context, loadBalancer).filter(({ block }) => {
        const protocol = String(block['protocol'] ?? 'HTTP');
        const port = numberOf(block['port']);
        if (port !== 80 && protocol !== 'HTTP') return false;
        const redirect = blocks(blocks(block['default_action'])[0]?.['redirect'])[0];
        return !(port === 80 && protocol === 'HTTP' && httpsRedirect(block) === 'https' && String(redirect?.['port']) === '443');
      });
      return plain.length === 0 ? pass('every listener is HTTPS or redirects to it') : fail(`${plain.map((listener) => listener.address).join(', ')} answers HTTP instead of redirecting to HTTPS on 443`);
    },
  }),
  resourceRule({
    id: 'CKV2_AWS_28',
    title: 'Public application load balancers are protected by WAF',
    types: LOAD_BALANCERS,
    check: (loadBalancer, context) => {
      if (!isApplication(loadBalancer.block) || flag(loadBalancer.block['internal']) === 'true') return undefined;
      const associations = ['aws_wafv2_web_acl_association', 'aws_wafregional_web_acl_association']
        .flatMap((type) => context.environmentResources(type))
        .filter((association) => context.refersTo(association.block['resource_arn'], loadBalancer, association));
      return associations.length > 0 ? pass(`web ACL ${associations[0]?.address}`) : fail('internet-facing with no WAF web ACL associated');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_91',
    title: 'Load balancers write access logs',
    types: [...LOAD_BALANCERS, 'aws_elb'],
    check: ({ block }) => {
      const logs = blocks(block['access_logs'])[0];
      if (!logs) return fail('no access_logs: nobody can tell who called what');
      return requireTrue(logs, 'enabled');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_131',
    title: 'Application load balancers drop invalid HTTP headers',
    types: LOAD_BALANCERS,
    check: ({ block }) => (isApplication(block) ? requireTrue(block, 'drop_invalid_header_fields') : undefined),
  }),
  resourceRule({
    id: 'CKV_AWS_150',
    title: 'Load balancers have deletion protection',
    types: LOAD_BALANCERS,
    check: ({ block }) => requireTrue(block, 'enable_deletion_protection'),
  }),
  resourceRule({
    id: 'CKV_AWS_328',
    title: 'Load balancers mitigate HTTP desync (defensive or strictest)',
    types: [...LOAD_BALANCERS, 'aws_elb'],
    check: ({ block }): Verdict => {
      const mode = block['desync_mitigation_mode'];
      return mode === 'monitor' ? fail('desync_mitigation_mode is monitor: ambiguous requests reach the targets') : pass(`desync_mitigation_mode ${String(mode ?? 'defensive (default)')}`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_261',
    title: 'HTTP(S) target groups define a health check path',
    types: ['aws_lb_target_group', 'aws_alb_target_group'],
    check: ({ block }) => {
      if (!['HTTP', 'HTTPS'].includes(String(block['protocol']))) return undefined;
      const path = blocks(block['health_check'])[0]?.['path'];
      return path ? pass(`health check ${String(path)}`) : fail('no health check path: a target that cannot serve stays in rotation');
    },
  }),
];
