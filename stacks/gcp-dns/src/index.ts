export { GcpDnsStack, type GcpDnsStackProps } from './gcp-dns-stack.js';
