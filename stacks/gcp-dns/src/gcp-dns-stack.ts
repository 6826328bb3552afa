import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { isPlaceholderDomain, resourceName, warnPlaceholder } from '@docflow/infra';
import { DelegatedZone, GcpStack, type GcpStackProps } from '@docflow/infra-gcp';
import type { GcpFoundationStack } from '@docflow/stack-gcp-foundation';

export interface GcpDnsStackProps extends GcpStackProps {
  readonly foundation: GcpFoundationStack;
}

/**
 * `<env>-gcp-dns`: the archive's subdomain (`gcp.dnsName`) as a Cloud DNS zone signed with DNSSEC.
 * With `gcp.parentDnsZone` the delegation (NS and DS) is added to that Cloud DNS zone; otherwise
 * the outputs say what to add to the parent zone, wherever it is (Route 53 for the AWS domain).
 */
export class GcpDnsStack extends GcpStack {
  readonly zone: DelegatedZone;

  constructor(scope: Construct, props: GcpDnsStackProps) {
    super(scope, 'gcp-dns', props);
    if (isPlaceholderDomain(this.gcp.dnsName)) warnPlaceholder(this, `gcp.dnsName "${this.gcp.dnsName}" is a placeholder (a reserved example domain): set the archive's subdomain in the environment table`);
    this.zone = new DelegatedZone(this, 'ArchiveZone', {
      zoneName: resourceName(this.env, 'archive'),
      dnsName: this.gcp.dnsName,
      ...(this.gcp.parentDnsZone !== undefined ? { parentZone: this.gcp.parentDnsZone } : {}),
    });
    new TerraformOutput(this, 'name_servers', { value: this.zone.nameServersText, description: `NS records for ${this.zone.fqdn} in the parent zone` });
    new TerraformOutput(this, 'ds_record', { value: this.zone.dsRecord, description: `DS record for ${this.zone.fqdn} in the parent zone (DNSSEC chain of trust)` });
  }
}
