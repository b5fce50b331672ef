/** Tests type-check once via `tsc --noEmit` in `npm test`; the transform (esbuild) only strips types, which keeps runs fast. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuildTransform.js" },
  testTimeout: 60000,
  // Jest's default is one worker fewer than the CPUs: on the 2-core machines this project runs on,
  // that is one worker and an idle core. The parent process mostly waits, so use both.
  maxWorkers: "100%",
};
