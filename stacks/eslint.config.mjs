import base from '../eslint.config.mjs';
import { deepProviderImports } from '../libs/infra/eslint.config.mjs';

// This project is the cdktf app (main.ts, src/); the stack projects in the folders beside src/ lint
// themselves with their own configuration.
export default [
  ...base,
  deepProviderImports,
  { ignores: ['api/', 'data/', 'foundation/', 'ingest/', 'network/', 'observability/', 'platform/', 'worker/', 'gcp-*/'] },
];
