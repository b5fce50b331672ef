/** Tests type-check once via `tsc --noEmit` in `npm test`; ts-jest only transpiles, which keeps runs fast. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Jest's default is one worker fewer than the CPUs: on the 2-core machines this project runs on,
  // that is one worker and an idle core. The parent process mostly waits, so use both.
  maxWorkers: "100%",
};
