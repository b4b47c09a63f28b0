/**
 * The explicit timeouts of the test files: each test, suite and hook passes
 * one of these as { timeout }. Generous enough for a machine that is also
 * running `stress-ng --cpu 2`; scripts/test.sh's --test-timeout is the
 * backstop above them all.
 */

/** Pure logic, or one short-lived tool or worker. */
export const QUICK = { timeout: 30_000 };
/** Against a real server or worker over raw signalling, or a real redis-server or coturn. */
export const SERVER = { timeout: 60_000 };
/** Real Chromium pages in a call. */
export const BROWSER = { timeout: 180_000 };
/** Several nodes, a node killed and Redis restarted, in real Chromium. */
export const MULTI_NODE = { timeout: 240_000 };
/** before/after hooks: starting or stopping servers, browsers and child processes. */
export const HOOK = { timeout: 120_000 };
