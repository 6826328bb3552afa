export { rawRequest, type RawAnswer, type RawRequestOptions } from './raw-request.js';
