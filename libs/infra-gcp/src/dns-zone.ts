import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataGoogleDnsKeys } from '@cdktf/provider-google/lib/data-google-dns-keys/index.js';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone/index.js';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set/index.js';
import { gcpResourceName } from './naming.js';

/** A DNS host name: labels of lower-case letters, digits and inner hyphens, at least two of them, no trailing dot. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export interface DelegatedZoneProps {
  /** The Cloud DNS managed zone's name (`docflow-<env>-archive`). */
  readonly zoneName: string;
  /** The subdomain the zone serves, without a trailing dot (`archive.docflow.acme.com`). */
  readonly dnsName: string;
  /**
   * A Cloud DNS managed zone of the same project that holds the parent domain: the NS and DS
   * records of the delegation are added there. @default - none: add them to the parent zone by
   * hand from `nameServers` and `dsRecord` (e.g. in Route 53)
   */
  readonly parentZone?: string;
  /** TTL of the records. @default 300 */
  readonly ttlSeconds?: number;
}

/**
 * A public Cloud DNS zone for a delegated subdomain, signed with DNSSEC (NSEC3, ECDSA P-256 key
 * and zone signing keys), holding the records that say what the name is for: nothing here serves
 * HTTPS or sends mail, so no certificate authority may issue for it (CAA) and mail claiming to
 * come from it is rejected (SPF -all, DMARC p=reject). The delegation (NS, and DS so that
 * resolvers validate the signatures) goes into the parent zone.
 */
export class DelegatedZone extends Construct {
  readonly zone: DnsManagedZone;
  /** `archive.docflow.acme.com.` */
  readonly fqdn: string;
  /** The DS record of the zone's active key signing key, for the parent zone. */
  readonly dsRecord: string;

  constructor(scope: Construct, id: string, props: DelegatedZoneProps) {
    super(scope, id);
    const ttl = props.ttlSeconds ?? 300;
    if (!HOST_NAME.test(props.dnsName)) throw new Error(`DelegatedZone: dnsName "${props.dnsName}" is not a lower-case DNS name of two or more labels without a trailing dot`);
    this.fqdn = `${props.dnsName}.`;

    this.zone = new DnsManagedZone(this, 'Zone', {
      name: gcpResourceName(props.zoneName, 'managed zone name'),
      dnsName: this.fqdn,
      description: `docflow: ${props.dnsName}, delegated to Cloud DNS`,
      visibility: 'public',
      dnssecConfig: {
        state: 'on',
        nonExistence: 'nsec3',
        defaultKeySpecs: [
          { keyType: 'keySigning', algorithm: 'ecdsap256sha256', keyLength: 256 },
          { keyType: 'zoneSigning', algorithm: 'ecdsap256sha256', keyLength: 256 },
        ],
      },
    });
    const record = (recordId: string, name: string, type: string, rrdatas: string[]) =>
      new DnsRecordSet(this, recordId, { managedZone: this.zone.name, name, type, ttl, rrdatas });
    // a CAA "issue" with an empty issuer: no certificate authority may issue for the name
    record('NoCertificates', this.fqdn, 'CAA', ['0 issue ";"']);
    record('SendsNoMail', this.fqdn, 'TXT', ['"v=spf1 -all"']);
    record('RejectSpoofedMail', `_dmarc.${this.fqdn}`, 'TXT', ['"v=DMARC1; p=reject"']);

    const keys = new DataGoogleDnsKeys(this, 'Keys', { managedZone: this.zone.id });
    this.dsRecord = keys.keySigningKeys.get(0).dsRecord;
    if (props.parentZone !== undefined) {
      new DnsRecordSet(this, 'Delegation', { managedZone: props.parentZone, name: this.fqdn, type: 'NS', ttl, rrdatas: this.zone.nameServers });
      new DnsRecordSet(this, 'DelegationSigner', { managedZone: props.parentZone, name: this.fqdn, type: 'DS', ttl, rrdatas: [this.dsRecord] });
    }
  }

  /** The zone's name servers (for an NS record in the parent zone). */
  get nameServers(): string[] {
    return this.zone.nameServers;
  }

  /** The name servers joined, for an output. */
  get nameServersText(): string {
    return Fn.join(' ', this.zone.nameServers);
  }
}
