import { Construct } from 'constructs';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone/index.js';

export interface DomainZoneProps {
  /** The environment's host name: the zone is for exactly this name. */
  readonly domainName: string;
}

/**
 * A public Route 53 zone for the environment's host name, for an account where no zone holds it
 * yet. It answers only once the parent zone delegates to it: add an NS record for the name in the
 * parent with `nameServers` (the foundation stack outputs them) before the platform stack's
 * certificate can validate. Owned by the foundation, applied first, so that the delegation is done
 * once and survives every other stack's replacement.
 */
export class DomainZone extends Construct {
  readonly zone: Route53Zone;

  constructor(scope: Construct, id: string, props: DomainZoneProps) {
    super(scope, id);
    this.zone = new Route53Zone(this, 'Zone', {
      name: props.domainName,
      comment: `docflow: ${props.domainName} (delegate from the parent zone with the name servers)`,
      forceDestroy: false,
    });
  }

  get zoneId(): string {
    return this.zone.zoneId;
  }

  get nameServers(): string[] {
    return this.zone.nameServers;
  }
}
