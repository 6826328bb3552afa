export { EXPORTER_IMAGE, GcpRegistryStack, type GcpRegistryStackProps } from './gcp-registry-stack.js';
