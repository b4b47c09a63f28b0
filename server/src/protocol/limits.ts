/** Limits shared by server and client; the server enforces them. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_DISPLAY_NAME_LENGTH = 64;
export const MAX_ID_LENGTH = 64;
/** Requests a client may have in flight; more are answered with `too_many_requests`. */
export const MAX_PENDING_REQUESTS = 32;
