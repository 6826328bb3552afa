export { BootstrapStack, type BootstrapStackProps } from './bootstrap-stack.js';
