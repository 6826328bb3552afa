export { GcpExportStack, type GcpExportStackProps } from './gcp-export-stack.js';
