export * from './limits.js';
export * from './ids.js';
export * from './documents.js';
export * from './errors.js';
export * from './message.js';
export * from './hand-back.js';
