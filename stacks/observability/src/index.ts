export { ObservabilityStack, type ObservabilityStackProps } from './observability-stack.js';
