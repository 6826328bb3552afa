export { ConfigError, isSecretName, loadOrExit, type Env } from './load.js';
export * from './apps.js';
export * from './local-defaults.js';
