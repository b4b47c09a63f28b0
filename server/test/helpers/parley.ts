/**
 * Moved to server/testkit/parley.ts. This re-export is left only for
 * server/test/integration/limits.test.ts and server/test/fuzz/*, which
 * another engineer owns and will point at the kit; new code imports the kit.
 */
export { createRoom, startTestParley } from '../../testkit/parley.js';
