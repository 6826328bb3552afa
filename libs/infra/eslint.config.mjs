import base from '../../eslint.config.mjs';

/**
 * Providers are imported deeply (`@cdktf/provider-aws/lib/<resource>/index.js`), never through a
 * barrel: the barrel loads every resource module of the provider (measured: 5-16 s and up to
 * 1.5 GB per synth instead of about 1 s; DESIGN.md). The stack projects apply this block too.
 */
export const deepProviderImports = {
  files: ['**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^@cdktf/provider-[a-z0-9-]+(/lib)?(/index(\\.js)?)?$',
            message: 'Import the resource module deeply (@cdktf/provider-aws/lib/<resource>/index.js): the barrel loads the whole provider.',
          },
        ],
      },
    ],
  },
};

export default [...base, deepProviderImports];
