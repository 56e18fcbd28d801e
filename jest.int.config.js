// Integration tests: real Kafka and a real MongoDB-protocol server, found or started by the
// global setup (see libs/testing/src/integration/global-setup.ts). One file at a time: they
// share the broker.
const preset = require('./jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: '.',
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/integration/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/integration/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120_000,
};
