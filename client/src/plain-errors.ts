/**
 * What a person reads when something fails: plain sentences, never protocol
 * text (method names, codes, schema paths). The server's messages for
 * admission are written for people and are kept; everything else is said
 * here.
 */
import type { ErrorCode } from '@protocol/errors';
import type { ErrorBody } from '@protocol/messages';
import { t } from './strings/index.js';

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
  forbidden: t.errors.forbidden,
  not_found: t.errors.notFound,
  invalid_state: t.errors.invalidState,
  too_many_requests: t.errors.tooManyRequests,
  media_error: t.errors.mediaError,
  message_too_large: t.errors.tooLarge,
};

/** "this meeting has ended" → "This meeting has ended." */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

export function plainServerError(body: ErrorBody): string {
  if (SPOKEN_BY_SERVER.has(body.code)) return sentence(body.message);
  return SAID_HERE[body.code] ?? t.errors.generic;
}

/** Any failure as a sentence: errors made in this client already carry one. */
export function plainError(error: unknown): string {
  if (error instanceof PlainError) return error.message;
  if (error instanceof DOMException) {
    switch (error.name) {
      case 'NotAllowedError':
        return t.errors.notAllowed;
      case 'NotFoundError':
      case 'OverconstrainedError':
        return t.errors.deviceGone;
      case 'NotReadableError':
        return t.errors.deviceBusy;
      case 'AbortError':
        return t.errors.cancelled;
    }
  }
  return t.errors.generic;
}

/** An error whose message is already written for the person. */
export class PlainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlainError';
  }
}
