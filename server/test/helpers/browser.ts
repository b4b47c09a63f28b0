/**
 * Moved to server/testkit (browser.ts, wait.ts). This re-export is left only
 * for server/test/fuzz/*, which another engineer owns and will point at the
 * kit; new code imports the kit.
 */
export { inboundTotals, launchBrowser } from '../../testkit/browser.js';
export { waitUntil } from '../../testkit/wait.js';
