import { defineProjectTests } from '../../vitest.shared.ts';

// Synthesis tests share no global state, so the test files share one module graph per worker: the
// provider modules load once instead of once per file (the bulk of this project's test time).
export default defineProjectTests({ test: { isolate: false } });
