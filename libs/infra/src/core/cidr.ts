/**
 * Subnet arithmetic for the VPC layout, done here rather than with Terraform's `cidrsubnet()` so the
 * synthesized JSON (and the tests) show literal CIDR blocks.
 */

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly address: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/p`; returns undefined when it is not a valid IPv4 network (host bits must be zero). */
export function parseCidr(cidr: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefixLength > 32) return undefined;
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const hostBits = 32 - prefixLength;
  if (address % 2 ** hostBits !== 0) return undefined;
  return { address, prefixLength };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.address / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefixLength}`;
}

/** The `index`-th subnet of `cidr` that is `newBits` longer (Terraform's `cidrsubnet`). */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const parent = parseCidr(cidr);
  if (!parent) throw new Error(`cidrSubnet: "${cidr}" is not an IPv4 CIDR block`);
  const prefixLength = parent.prefixLength + newBits;
  if (prefixLength > 28) throw new Error(`cidrSubnet: /${prefixLength} is smaller than the /28 AWS allows`);
  if (index < 0 || index >= 2 ** newBits) {
    throw new Error(`cidrSubnet: index ${index} does not fit in ${newBits} new bits of ${cidr}`);
  }
  return formatCidr({ address: parent.address + index * 2 ** (32 - prefixLength), prefixLength });
}
