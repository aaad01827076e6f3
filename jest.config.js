// Unit tests sit beside the code (*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts).
// Run through `npm test`, which starts embedded PostgreSQL and Temporal unless DATABASE_URL and
// TEMPORAL_ADDRESS are set (scripts/test-runner.ts).
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;
swcrc.module = { type: 'commonjs' };
// SWC resolves the path aliases (.swcrc `paths`) against baseUrl, which @swc/jest wants absolute.
swcrc.jsc.baseUrl = __dirname;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/workflows', '<rootDir>/activities', '<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  testTimeout: 120_000,
  setupFiles: ['reflect-metadata'],
};
