/** Limits shared by server and client; the server enforces them. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_ID_LENGTH = 64;
/**
 * A connection that sends more than FLOOD_CLOSE_AFTER messages over its rate
 * within FLOOD_WINDOW_MS is closed (1008), however they are spaced: with the
 * default 30 messages a second, anything above about 40 a second sustained
 * for 10 s, or a burst of 160, ends the connection.
 */
export const FLOOD_CLOSE_AFTER = 100;
export const FLOOD_WINDOW_MS = 10_000;
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
/** Questions a webinar keeps (in memory, on each node that serves it); the oldest go first. */
export const QUESTIONS_KEPT = 200;
