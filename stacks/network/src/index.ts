export { NetworkStack, WORKLOADS } from './network-stack.js';
