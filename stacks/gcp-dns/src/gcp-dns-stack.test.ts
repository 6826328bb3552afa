import { describe, expect, it } from 'vitest';
import { environment, onlyResource, synthApp, testApp } from '@docflow/infra/testing';
import { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { GcpDnsStack } from './gcp-dns-stack.js';

describe('GcpDnsStack', () => {
  const app = testApp();
  const env = environment('staging');
  new GcpDnsStack(app, { env, foundation: new GcpFoundationStack(app, { env }) });
  const json = synthApp(app)['staging-gcp-dns'] ?? {};

  it('GIVEN staging THEN its archive subdomain as a zone signed with DNSSEC', () => {
    expect(onlyResource(json, 'google_dns_managed_zone')).toMatchObject({ name: 'docflow-staging-archive', dns_name: `${env.gcp?.dnsName}.`, dnssec_config: { state: 'on' } });
  });

  it('THEN the outputs say what the parent zone needs: the name servers and the DS record', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual(['ds_record', 'name_servers']);
    expect(json.output?.['ds_record']?.['value']).toMatch(/^\$\{data\.google_dns_keys\.[^.]+\.key_signing_keys\[0\]\.ds_record\}$/);
  });
});
