/**
 * Moved to server/testkit/ws-client.ts. This re-export is left only for
 * server/test/integration/limits.test.ts and server/test/fuzz/*, which
 * another engineer owns and will point at the kit; new code imports the kit.
 */
export { TestSocket } from '../../testkit/ws-client.js';
