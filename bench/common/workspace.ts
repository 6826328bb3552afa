import { fileURLToPath } from 'node:url';

/** The workspace root (with a trailing slash): the benchmarks run apps, stacks and scripts from there. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The API key the benchmarks configure on the services they start and send with each request. */
export const BENCH_API_KEY = 'bench-key-0123456789abcdef';
