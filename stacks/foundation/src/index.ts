export { domainZoneId, FoundationStack, type FoundationStackProps, type WorkloadStackProps } from './foundation-stack.js';
