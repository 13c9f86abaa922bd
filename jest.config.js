const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

/**
 * openid-client and the libraries under it ship ES modules only; Node runs them through require(),
 * jest (before Node 24.9) does not, so they are compiled to CommonJS for the tests like our own code.
 */
const ESM_ONLY = ['openid-client', 'oauth4webapi', 'jose'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': swc,
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: swc,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/helpers/setup-runtime.ts'],
  testTimeout: 120_000,
  maxWorkers: 2,
};
