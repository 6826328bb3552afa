export { ApiStack, type ApiStackProps } from './api-stack.js';
