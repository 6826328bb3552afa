export { domainZoneId, encryptionKeys, FoundationStack, type FoundationStackProps, type WorkloadStackProps } from './foundation-stack.js';
