import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';

/** The other side of a rule: another security group, a CIDR block or a managed prefix list. */
export type Peer =
  | { readonly securityGroup: SecurityGroup }
  | { readonly cidr: string }
  | { readonly prefixListId: string };

export interface PortRule {
  readonly peer: Peer;
  /** A single TCP port, or `all` for every protocol and port. */
  readonly port: number | 'all';
  readonly description: string;
}

function peerArguments(peer: Peer) {
  if ('securityGroup' in peer) return { referencedSecurityGroupId: peer.securityGroup.id };
  if ('cidr' in peer) return { cidrIpv4: peer.cidr };
  return { prefixListId: peer.prefixListId };
}

function portArguments(port: number | 'all') {
  return port === 'all' ? { ipProtocol: '-1' } : { ipProtocol: 'tcp', fromPort: port, toPort: port };
}

/**
 * One standalone ingress rule (`aws_vpc_security_group_ingress_rule`): rules added by other stacks
 * (a service opening its port to the load balancer) never fight over an inline rule list.
 */
export function allowIngress(scope: Construct, id: string, securityGroup: SecurityGroup, rule: PortRule) {
  return new VpcSecurityGroupIngressRule(scope, id, {
    securityGroupId: securityGroup.id,
    description: rule.description,
    ...portArguments(rule.port),
    ...peerArguments(rule.peer),
  });
}

export function allowEgress(scope: Construct, id: string, securityGroup: SecurityGroup, rule: PortRule) {
  return new VpcSecurityGroupEgressRule(scope, id, {
    securityGroupId: securityGroup.id,
    description: rule.description,
    ...portArguments(rule.port),
    ...peerArguments(rule.peer),
  });
}

/**
 * A security group with no inline rules: every rule is a separate resource, added with
 * `allowIngress` / `allowEgress`. Nothing is allowed until a rule says so: Terraform removes the
 * allow-all egress rule AWS adds to a new group.
 */
export function emptySecurityGroup(scope: Construct, id: string, props: { name: string; description: string; vpcId: string }) {
  return new SecurityGroup(scope, id, {
    name: props.name,
    description: props.description,
    vpcId: props.vpcId,
    tags: { Name: props.name },
  });
}
