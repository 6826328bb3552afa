export { createSqsClient, type SqsClientOptions } from './client.js';
export { QueueProducer, type OutgoingMessage, type QueueProducerOptions } from './producer.js';
export {
  QueueConsumer,
  type HandlerContext,
  type MessageHandler,
  type QueueConsumerOptions,
  type QueueMessage,
} from './consumer.js';
export { QueueSendError, type FailedEntry, type SentEntry } from './errors.js';
export type { QueueLogger } from './logger.js';
