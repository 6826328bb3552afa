export { DataStack, type DataStackProps } from './data-stack.js';
