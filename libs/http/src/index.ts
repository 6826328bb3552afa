export { buildHttpApp, type HttpApp, type HttpAppOptions } from './app.js';
export { DEFAULT_RETRY_AFTER_SECONDS, HttpError, invalidQueryString, type HttpErrorOptions } from './http-error.js';
export { acceptTextBodies, ACCEPTED_CHARSETS } from './body-charset.js';
export { type ReadinessCheck, type ReadinessChecks } from './health.js';
export { type OpenApiOptions } from './openapi.js';
export { serve, type ServeOptions } from './serve.js';
import './route-config.js';
