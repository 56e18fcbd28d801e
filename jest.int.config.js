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
  // Ends the run once every test has finished even if a service a test closed left a Kafka
  // client retrying against a private broker the test had already stopped: seen once after the
  // fault-injection specs (the run then never exited). The handle is still to be found
  // (`--detectOpenHandles`); this keeps CI from hanging on it.
  forceExit: true,
};
