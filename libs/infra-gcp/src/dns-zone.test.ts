import { describe, expect, it } from 'vitest';
import { onlyResource, resourcesOf, synthScope } from '@docflow/infra/testing';
import { DelegatedZone } from './dns-zone.js';

describe('DelegatedZone', () => {
  const json = synthScope((scope) => new DelegatedZone(scope, 'Zone', { zoneName: 'docflow-dev-archive', dnsName: 'archive.dev.docflow.acme.com' }));
  const zone = onlyResource(json, 'google_dns_managed_zone');

  it('GIVEN a subdomain THEN a public zone for its fully qualified name, DNSSEC on with NSEC3 and a key and a zone signing key', () => {
    expect(zone).toMatchObject({ name: 'docflow-dev-archive', dns_name: 'archive.dev.docflow.acme.com.', visibility: 'public' });
    expect(zone['dnssec_config']).toEqual({
      state: 'on',
      non_existence: 'nsec3',
      default_key_specs: [
        { key_type: 'keySigning', algorithm: 'ecdsap256sha256', key_length: 256 },
        { key_type: 'zoneSigning', algorithm: 'ecdsap256sha256', key_length: 256 },
      ],
    });
  });

  it('THEN records that say nothing is served or sent from the name: CAA for no issuer, SPF -all, DMARC reject (quoted TXT, fully qualified names)', () => {
    const records = resourcesOf(json, 'google_dns_record_set').map(({ block }) => [block['name'], block['type'], block['rrdatas'], block['ttl']]);
    expect(records).toHaveLength(3);
    expect(records).toEqual(
      expect.arrayContaining([
        ['archive.dev.docflow.acme.com.', 'CAA', ['0 issue ";"'], 300],
        ['archive.dev.docflow.acme.com.', 'TXT', ['"v=spf1 -all"'], 300],
        ['_dmarc.archive.dev.docflow.acme.com.', 'TXT', ['"v=DMARC1; p=reject"'], 300],
      ]),
    );
    expect(Object.keys(json.data?.['google_dns_keys'] ?? {})).toHaveLength(1);
  });

  it('GIVEN a parent Cloud DNS zone THEN the NS and DS records of the delegation go there', () => {
    const delegated = synthScope((scope) => new DelegatedZone(scope, 'Zone', { zoneName: 'docflow-prod-archive', dnsName: 'archive.docflow.acme.com', parentZone: 'acme-com' }));
    const inParent = resourcesOf(delegated, 'google_dns_record_set').filter(({ block }) => block['managed_zone'] === 'acme-com');
    expect(inParent.map(({ block }) => `${String(block['name'])} ${String(block['type'])}`).sort()).toEqual(['archive.docflow.acme.com. DS', 'archive.docflow.acme.com. NS']);
    expect(String(inParent.find(({ block }) => block['type'] === 'DS')?.block['rrdatas'])).toContain('key_signing_keys[0].ds_record');
    expect(String(inParent.find(({ block }) => block['type'] === 'NS')?.block['rrdatas'])).toMatch(/^\$\{google_dns_managed_zone\.[^.]+\.name_servers\}$/);
  });

  it('refuses a name that is not a DNS name', () => {
    expect(() => synthScope((scope) => new DelegatedZone(scope, 'Zone', { zoneName: 'z', dnsName: 'archive.acme.com.' }))).toThrow(
      'DelegatedZone: dnsName "archive.acme.com." is not a lower-case DNS name of two or more labels without a trailing dot',
    );
  });
});
