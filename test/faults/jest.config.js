// `npm run test:faults`: the fault-injection suites (test/faults/*.faults-spec.ts), outside
// `npm test`, whose testMatch does not include them. Each suite starts its own PostgreSQL and
// Temporal, which it stops and kills, so they can run side by side (--maxWorkers=3): they spend
// most of their time waiting for timers to fall due.
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults-spec.ts'],
  // A worker can take a minute or more to start when the suites run side by side on two cores.
  testTimeout: 420_000,
};
