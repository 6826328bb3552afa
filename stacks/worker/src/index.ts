export { WorkerStack, type WorkerStackProps } from './worker-stack.js';
