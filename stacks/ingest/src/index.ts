export { IngestStack, type IngestStackProps } from './ingest-stack.js';
