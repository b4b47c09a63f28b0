/**
 * What a person reads when something fails: plain sentences, never protocol
 * text (method names, codes, schema paths). The server's messages for
 * admission are written for people and are kept; everything else is said
 * here.
 */
import type { ErrorCode } from '@protocol/errors';
import type { ErrorBody } from '@protocol/messages';

/** Codes whose server message is a sentence meant for the person (why they cannot get in, or wait). */
const SPOKEN_BY_SERVER: ReadonlySet<ErrorCode> = new Set([
  'room_not_found',
  'room_full',
  'room_locked',
  'credential_invalid',
  'credential_revoked',
  'password_required',
  'password_incorrect',
  'rate_limited',
  'unavailable',
]);

const SAID_HERE: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Only a host can do that.',
  not_found: 'That person or item is no longer here.',
  invalid_state: 'That cannot be done right now.',
  too_many_requests: 'Too many actions at once. Wait a moment and try again.',
  media_error: 'The media server could not handle that. Try again, or rejoin if it keeps happening.',
  message_too_large: 'That was too large to send.',
};

const GENERIC = 'Something went wrong. Please try again.';

/** "this meeting has ended" → "This meeting has ended." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

export function plainServerError(body: ErrorBody): string {
  if (SPOKEN_BY_SERVER.has(body.code)) return sentence(body.message);
  return SAID_HERE[body.code] ?? GENERIC;
}

/** Any failure as a sentence: errors made in this client already carry one. */
export function plainError(error: unknown): string {
  if (error instanceof PlainError) return error.message;
  if (error instanceof DOMException) {
    switch (error.name) {
      case 'NotAllowedError':
        return 'The browser did not allow that. Check the site’s permissions and try again.';
      case 'NotFoundError':
      case 'OverconstrainedError':
        return 'That device is not available any more. Choose another one.';
      case 'NotReadableError':
        return 'That device is in use by another application.';
      case 'AbortError':
        return 'That was cancelled.';
    }
  }
  return GENERIC;
}

/** An error whose message is already written for the person. */
export class PlainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlainError';
  }
}
