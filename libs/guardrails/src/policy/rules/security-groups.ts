import { evaluationOf, fail, pass, resourceRule, type Resource, type Rule, type StackContext } from '../rule.js';
import { blocks, numberOf, strings } from '../../values.js';

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);
/** Ports a public load balancer may open to the internet (docflow's own ingress rule). */
const LOAD_BALANCER_PORTS = new Set([80, 443]);

/** One ingress permission, wherever it is declared (inline on a group, or one of the two rule resources). */
interface Ingress {
  readonly resource: Resource;
  /** `aws_security_group.X (inline rule 2)` or the rule resource's address. */
  readonly where: string;
  /** The security group it opens, as written (a reference). */
  readonly group: unknown;
  readonly cidrs: readonly string[];
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
}

function ingressesOf(context: StackContext): Ingress[] {
  const result: Ingress[] = [];
  for (const resource of context.resources('aws_vpc_security_group_ingress_rule')) {
    const { block } = resource;
    result.push({
      resource,
      where: resource.address,
      group: block['security_group_id'],
      cidrs: [block['cidr_ipv4'], block['cidr_ipv6']].filter((cidr): cidr is string => typeof cidr === 'string'),
      protocol: String(block['ip_protocol']),
      fromPort: numberOf(block['from_port']) ?? -1,
      toPort: numberOf(block['to_port']) ?? -1,
    });
  }
  for (const resource of context.resources('aws_security_group_rule')) {
    const { block } = resource;
    if (block['type'] !== 'ingress') continue;
    result.push({
      resource,
      where: resource.address,
      group: block['security_group_id'],
      cidrs: [...strings(block['cidr_blocks']), ...strings(block['ipv6_cidr_blocks'])],
      protocol: String(block['protocol']),
      fromPort: numberOf(block['from_port']) ?? -1,
      toPort: numberOf(block['to_port']) ?? -1,
    });
  }
  for (const resource of [...context.resources('aws_security_group'), ...context.resources('aws_default_security_group')]) {
    blocks(resource.block['ingress']).forEach((rule, index) =>
      result.push({
        resource,
        where: `${resource.address} (inline rule ${index + 1})`,
        group: `\${${resource.type}.${resource.name}.id}`,
        cidrs: [...strings(rule['cidr_blocks']), ...strings(rule['ipv6_cidr_blocks'])],
        protocol: String(rule['protocol']),
        fromPort: numberOf(rule['from_port']) ?? -1,
        toPort: numberOf(rule['to_port']) ?? -1,
      }),
    );
  }
  return result;
}

const isOpen = (ingress: Ingress) => ingress.cidrs.some((cidr) => OPEN_CIDRS.has(cidr));
const allProtocols = (ingress: Ingress) => ['-1', 'all'].includes(ingress.protocol.toLowerCase());
const coversPort = (ingress: Ingress, port: number) => allProtocols(ingress) || (ingress.fromPort <= port && port <= ingress.toPort);
const describePorts = (ingress: Ingress) => (allProtocols(ingress) ? 'every protocol and port' : `${ingress.protocol} ${ingress.fromPort}-${ingress.toPort}`);

/** One verdict per resource that declares ingress: the first open rule that matches `bad` fails it. */
function ingressRule(id: string, title: string, bad: (ingress: Ingress) => boolean, why: string): Rule {
  return {
    id,
    title,
    evaluate: (context) => {
      const byResource = new Map<Resource, Ingress[]>();
      for (const ingress of ingressesOf(context)) byResource.set(ingress.resource, [...(byResource.get(ingress.resource) ?? []), ingress]);
      return [...byResource].map(([resource, ingresses]) => {
        const offending = ingresses.find((ingress) => isOpen(ingress) && bad(ingress));
        return evaluationOf(resource, offending ? fail(`${offending.where} allows ${describePorts(offending)} from the internet${why}`) : pass(`${ingresses.length} ingress rules, none of them that open`));
      });
    },
  };
}

/** The security groups of the environment's load balancers (which may face the internet on 80/443). */
function loadBalancerGroups(context: StackContext): Resource[] {
  return ['aws_lb', 'aws_alb']
    .flatMap((type) => context.environmentResources(type))
    .flatMap((lb) => strings(lb.block['security_groups']).map((value) => context.lookup(context.referenced(value, lb))))
    .filter((group): group is Resource => group?.type === 'aws_security_group');
}

const internetIngress: Rule = {
  id: 'DOCFLOW_INGRESS',
  title: 'No ingress from the internet except TCP 80/443 to a load balancer',
  evaluate: (context) => {
    const lbGroups = loadBalancerGroups(context);
    return ingressesOf(context).map((ingress) => {
      if (!isOpen(ingress)) return evaluationOf(ingress.resource, pass(`${ingress.where}: not from the internet`));
      const toLoadBalancer = lbGroups.some((group) => context.refersTo(ingress.group, group, ingress.resource));
      const webPort = ingress.protocol === 'tcp' && ingress.fromPort === ingress.toPort && LOAD_BALANCER_PORTS.has(ingress.fromPort);
      return evaluationOf(
        ingress.resource,
        toLoadBalancer && webPort ? pass(`${ingress.where}: tcp ${ingress.fromPort} to a load balancer`) : fail(`${ingress.where} allows ${describePorts(ingress)} from the internet`),
      );
    });
  },
};

const RULE_RESOURCES = ['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'];

export const securityGroupRules: readonly Rule[] = [
  ingressRule('CKV_AWS_24', 'No SSH (22) from the internet', (ingress) => coversPort(ingress, 22), ''),
  ingressRule('CKV_AWS_25', 'No RDP (3389) from the internet', (ingress) => coversPort(ingress, 3389), ''),
  ingressRule('CKV_AWS_260', 'No HTTP (80) from the internet', (ingress) => coversPort(ingress, 80), ' (plain HTTP)'),
  ingressRule('CKV_AWS_277', 'No all-ports ingress from the internet', (ingress) => allProtocols(ingress) || (ingress.fromPort <= 0 && ingress.toPort >= 65535), ''),
  internetIngress,
  resourceRule({
    id: 'CKV_AWS_23',
    title: 'Security groups and their rules have descriptions',
    types: ['aws_security_group', ...RULE_RESOURCES],
    check: ({ type, block }) => {
      if (!block['description']) return fail(type === 'aws_security_group' ? 'the group has no description' : 'the rule has no description');
      if (type !== 'aws_security_group') return pass('described');
      const bare = [...blocks(block['ingress']), ...blocks(block['egress'])].filter((rule) => !rule['description']).length;
      return bare === 0 ? pass('the group and its inline rules are described') : fail(`${bare} inline rules have no description`);
    },
  }),
  resourceRule({
    id: 'CKV2_AWS_12',
    title: "Every VPC's default security group allows nothing",
    types: ['aws_vpc'],
    check: (vpc, context) => {
      const defaults = context.environmentResources('aws_default_security_group').filter((group) => context.refersTo(group.block['vpc_id'], vpc, group));
      const group = defaults[0];
      if (!group) return fail('the default security group is not managed, so it keeps AWS\'s allow-all-within-the-group rules');
      const inline = blocks(group.block['ingress']).length + blocks(group.block['egress']).length;
      const attached = RULE_RESOURCES.flatMap((type) => context.environmentResources(type)).filter((rule) => context.refersTo(rule.block['security_group_id'], group, rule));
      if (inline > 0 || attached.length > 0) return fail(`${group.address} has ${inline + attached.length} rules (it must have none)`);
      return pass(`${group.address} has no rules`);
    },
  }),
];
