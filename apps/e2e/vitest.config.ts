import { defineProjectTests } from '../../vitest.shared.ts';

// one pipeline at a time: it binds fixed-looking ports and starts PostgreSQL
export default defineProjectTests({ test: { fileParallelism: false, testTimeout: 120_000 } });
