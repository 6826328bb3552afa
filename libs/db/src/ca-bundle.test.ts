import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The vendored RDS CA bundle the images carry (libs/db/certs/README.md says where it comes from). */
const bundle = readFileSync(join(import.meta.dirname, '..', 'certs', 'rds-ca-bundle.pem'), 'utf8');
const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

describe('the RDS CA bundle', () => {
  it('is the vendored file the README names (sha256)', () => {
    expect(createHash('sha256').update(bundle).digest('hex')).toBe('fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f');
  });

  it('holds 115 certificate authorities, among them the eu-west-1 RSA2048 G1 root the database names (rds-ca-rsa2048-g1), valid for decades', () => {
    expect(certificates).toHaveLength(115);
    const parsed = certificates.map((pem) => new X509Certificate(pem));
    const root = parsed.find((certificate) => certificate.subject.includes('CN=Amazon RDS eu-west-1 Root CA RSA2048 G1'));
    expect(root?.ca).toBe(true);
    expect(new Date(root?.validTo ?? 0).getUTCFullYear()).toBeGreaterThan(2060);
  });
});
