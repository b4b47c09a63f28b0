/**
 * What the peer is told when a request fails, decided by the error's class:
 * our own typed errors carry their code; the store being unreachable is
 * `unavailable`; a mediasoup refusal, wrapped where it happened, is
 * `media_error`; anything else is logged and reported without details.
 */
import type { FastifyBaseLogger } from 'fastify';
import { MediaError } from '../media/media-error.js';
import { SignallingError } from '../protocol/errors.js';
import type { ErrorBody } from '../protocol/messages.js';
import { StoreUnavailableError } from '../store/room-store.js';

export function errorResponseBody(error: unknown, logger: FastifyBaseLogger): ErrorBody {
  if (error instanceof SignallingError) return { code: error.code, message: error.message };
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error }, 'room state is unreachable');
    return { code: 'unavailable', message: 'meeting data is unreachable right now; please try again in a moment' };
  }
  if (error instanceof MediaError) {
    logger.warn({ err: error }, 'mediasoup refused a request');
    return { code: 'media_error', message: error.message.slice(0, 300) };
  }
  logger.error({ err: error }, 'request failed');
  return { code: 'internal_error', message: 'the server could not complete this request' };
}
