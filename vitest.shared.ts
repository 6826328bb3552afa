import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The one vitest configuration every project starts from. Tests live next to the code as
 * `src/**\/*.test.ts`; integration tests start real PostgreSQL and the SQS/S3 emulator, so the
 * time limits leave room for that (they are limits, not assertions about speed).
 */
export function defineProjectTests(overrides: ViteUserConfig = {}) {
  return mergeConfig(
    defineConfig({
      test: {
        include: ['src/**/*.test.ts'],
        environment: 'node',
        testTimeout: 30_000,
        hookTimeout: 120_000,
        teardownTimeout: 30_000,
        // the build machines run Node 20 on purpose (docs/decisions.md); the SDK's notice is noise
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    }),
    overrides,
  );
}
