/**
 * A refusal of a WHIP or WHEP request, with the HTTP status RFC 9725 and
 * common sense give it. The message is Parley's own sentence, safe to show.
 */
import { MediaError } from '../media/media-error.js';
import { SignallingError, type ErrorCode } from '../protocol/errors.js';
import { StoreUnavailableError } from '../store/room-store.js';
import { SdpError } from './sdp-offer.js';

export type WhipStatus = 400 | 401 | 403 | 404 | 406 | 409 | 412 | 413 | 415 | 429 | 503;

export class WhipError extends Error {
  constructor(
    readonly status: WhipStatus,
    message: string,
  ) {
    super(message);
    this.name = 'WhipError';
  }
}

const STATUS_OF_CODE: Partial<Record<ErrorCode, WhipStatus>> = {
  room_not_found: 404,
  not_found: 404,
  credential_invalid: 403,
  credential_revoked: 403,
  forbidden: 403,
  room_full: 503,
  rate_limited: 429,
  too_many_requests: 429,
  unavailable: 503,
  invalid_state: 409,
  bad_message: 400,
};

/** The status and sentence for any error a session may throw; undefined for a fault of Parley's own (500). */
export function refusalOf(error: unknown): { status: WhipStatus; message: string } | undefined {
  if (error instanceof WhipError || error instanceof SdpError) return { status: error.status, message: error.message };
  if (error instanceof SignallingError) return { status: STATUS_OF_CODE[error.code] ?? 400, message: error.message };
  if (error instanceof MediaError) return { status: 400, message: 'the media server refused what the offer describes' };
  if (error instanceof StoreUnavailableError) return { status: 503, message: 'the meeting state cannot be reached right now; try again' };
  return undefined;
}
