export { GcpFoundationStack, STATE_VERSION_DAYS, type GcpFoundationStackProps } from './gcp-foundation-stack.js';
