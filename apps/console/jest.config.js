// The console's logic (API errors, flight data, diffs, windowing, learning curves) is plain
// TypeScript tested here; the pages are driven in a real browser by test/console.int-spec.ts.
module.exports = {
  displayName: 'console',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
