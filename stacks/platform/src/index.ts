export { PlatformStack, type PlatformStackProps } from './platform-stack.js';
