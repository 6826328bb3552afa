export { ARCHIVE_TRANSITIONS, GcpArchiveStack, WORK_RETENTION_DAYS, type GcpArchiveStackProps } from './gcp-archive-stack.js';
