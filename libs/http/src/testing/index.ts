export { rawRequest, type RawAnswer, type RawRequestOptions } from './raw-request.js';
export { listenLocally, type Listening } from './listen.js';
