import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate/index.js';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation/index.js';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record/index.js';
import { pascalCase } from '../core/naming.js';

export interface DnsCertificateProps {
  /** The certificate's name (its subject). */
  readonly domainName: string;
  /** More names on the same certificate. @default [] */
  readonly subjectAlternativeNames?: readonly string[];
  /** Route 53 zone that holds every name: the validation records go there. */
  readonly zoneId: string;
  /** How long apply waits for ACM to see the records (a new zone waits for its delegation). @default "45m" */
  readonly validationTimeout?: string;
}

/** One validation attribute of the certificate for one name, as a Terraform expression. */
function validationAttribute(certificate: AcmCertificate, name: string, attribute: 'name' | 'type' | 'value'): string {
  return `\${one([for option in ${certificate.fqn}.domain_validation_options : option.resource_record_${attribute} if option.domain_name == "${name}"])}`;
}

/**
 * A public ACM certificate validated through DNS: one validation record per name in the zone
 * (written per name rather than with for_each, so every record has a stable address), and the
 * validation that apply waits for. Users of the certificate take `certificateArn`, which is the
 * validation's: nothing uses the certificate before ACM has issued it.
 */
export class DnsCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  readonly validationRecords: readonly Route53Record[];
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsCertificateProps) {
    super(scope, id);
    const alternativeNames = props.subjectAlternativeNames ?? [];
    const validationTimeout = props.validationTimeout ?? '45m';
    const names = [props.domainName, ...alternativeNames];
    const wildcard = names.find((name) => name.includes('*'));
    if (wildcard !== undefined) throw new Error(`DnsCertificate: "${wildcard}" is a wildcard; name each host (one validation record per name)`);
    if (new Set(names).size !== names.length) throw new Error(`DnsCertificate: a name is listed twice (${names.join(', ')})`);

    this.certificate = new AcmCertificate(this, 'Certificate', {
      domainName: props.domainName,
      ...(alternativeNames.length > 0 ? { subjectAlternativeNames: [...alternativeNames] } : {}),
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      // a listener holds the certificate: the replacement must exist before the old one goes
      lifecycle: { createBeforeDestroy: true },
    });
    this.validationRecords = names.map(
      (name) =>
        new Route53Record(this, `Validation${pascalCase(name)}`, {
          zoneId: props.zoneId,
          name: validationAttribute(this.certificate, name, 'name'),
          type: validationAttribute(this.certificate, name, 'type'),
          records: [validationAttribute(this.certificate, name, 'value')],
          ttl: 300,
          // ACM uses the same record for a name on a replacement certificate
          allowOverwrite: true,
        }),
    );
    this.validation = new AcmCertificateValidation(this, 'Validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: this.validationRecords.map((record) => record.fqdn),
      timeouts: { create: validationTimeout },
    });
    this.certificateArn = this.validation.certificateArn;
  }
}
