/** Limits shared by server and client; the server enforces them. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_ID_LENGTH = 64;
/** A connection that keeps sending this many messages over its rate is closed (1008). */
export const FLOOD_CLOSE_AFTER = 300;
/** Requests a client may have in flight; more are answered with `too_many_requests`. */
export const MAX_PENDING_REQUESTS = 32;
export const MAX_CHAT_LENGTH = 1000;
/** Recent messages a late joiner receives. */
export const CHAT_HISTORY_SIZE = 50;
/** Chat rate: a burst of this many, refilled at one message per CHAT_REFILL_MS. */
export const CHAT_BURST = 5;
export const CHAT_REFILL_MS = 1000;
/** Credentials are JWTs; anything longer is refused unread. */
export const MAX_CREDENTIAL_LENGTH = 2048;
