/** Every error a request can get back, with the code a client can act on. */
export const ErrorCodes = [
  'bad_message', // not JSON, not an object, or fails its schema
  'message_too_large',
  'unknown_method',
  'invalid_state', // valid message, wrong moment (e.g. produce before join)
  'not_found', // an id that does not belong to this peer or room
  'room_not_found',
  'room_full',
  'room_locked', // the host locked the room: no new entrants, not even to the lobby
  'credential_invalid', // expired, tampered, or for another room
  'credential_revoked', // denied or removed: this credential no longer gets in
  'password_required', // the room has a password and the join carried none
  'password_incorrect',
  'forbidden', // a host control from someone who is not a host
  'too_many_requests',
  'rate_limited', // e.g. chat faster than allowed
  'media_error', // mediasoup refused the parameters
  'unavailable', // shared room state (Redis) cannot be reached right now
  'internal_error',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

/** A failure that is reported to the peer as a typed error response. */
export class SignallingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignallingError';
  }
}
