export { createLogger, REDACTED_PATHS, type CreateLoggerOptions, type Logger } from './logger.js';
export { CORRELATION_ID_HEADER, correlationIdFrom, newCorrelationId } from './correlation.js';
