// Marks the log line that carries the extension-host suite's counts to the runner outside
// (scripts/integration/extension-host-suite.mjs matches the same text).
export const RESULT_LINE_PREFIX = "steer-integration-result ";
