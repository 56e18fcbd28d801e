module.exports = {
  displayName: 'dreaming-reflect',
  preset: '../../../jest.preset.js',
  rootDir: '.',
  // Some specs run hundreds of simulated sessions: an explicit timeout, so that a loaded 2-core
  // machine cannot turn Jest's 5 s default into a timing assertion. Speed is measured in bench/.
  testTimeout: 60_000,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
