// Two projects: `unit` runs in seconds without Docker; `docker` drives a real
// engine and real Compose (v1 and v2). `npm test` runs files one at a time
// (--maxWorkers=1): Docker tests share one engine, and load tests need the CPU.
const tsJest = { '^.+\\.ts$': 'ts-jest' };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'docker',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/docker/**/*.test.ts'],
      globalSetup: '<rootDir>/test/docker/global-setup.ts',
      slowTestThreshold: 120,
    },
  ],
};
