import { Annotations } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * Names reserved for documentation and testing (RFC 2606, RFC 6761): a host under them resolves
 * nowhere and mail to them reaches no one. The shipped environment table uses them as placeholders.
 */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

/** Whether a host name (or the domain of an email address) is a reserved placeholder. */
export function isPlaceholderDomain(nameOrEmail: string): boolean {
  const domain = nameOrEmail.includes('@') ? nameOrEmail.slice(nameOrEmail.lastIndexOf('@') + 1) : nameOrEmail;
  return RESERVED_DOMAIN.test(domain.replace(/\.$/, ''));
}

/**
 * A setting that synthesizes (so that anyone can synthesize and plan the shipped table) but must not
 * reach users, such as a placeholder domain or alarm address: synth prints it as a warning. The
 * deploy of a standard environment refuses placeholders (libs/delivery's deploy checks).
 */
export function warnPlaceholder(scope: IConstruct, message: string): void {
  Annotations.of(scope).addWarning(message);
}
