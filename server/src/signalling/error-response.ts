import type { FastifyBaseLogger } from 'fastify';
import { SignallingError } from '../protocol/errors.js';
import type { ErrorBody } from '../protocol/messages.js';

/**
 * What the peer is told when a request fails. Our own errors carry their
 * code; mediasoup rejects bad parameters with its own errors, reported as
 * `media_error`; anything else is logged and reported without details.
 */
export function errorResponseBody(error: unknown, logger: FastifyBaseLogger): ErrorBody {
  if (error instanceof SignallingError) return { code: error.code, message: error.message };
  if (error instanceof Error && isRedisUnavailable(error)) {
    logger.warn({ err: error }, 'room state is unreachable');
    return { code: 'unavailable', message: 'meeting data is unreachable right now; please try again in a moment' };
  }
  if (error instanceof Error && isMediasoupError(error)) {
    logger.warn({ err: error }, 'mediasoup refused a request');
    return { code: 'media_error', message: error.message.slice(0, 300) };
  }
  logger.error({ err: error }, 'request failed');
  return { code: 'internal_error', message: 'the server could not complete this request' };
}

// mediasoup's own error classes, and anything thrown from inside mediasoup
// (its parameter checks and the worker's refusals); a TypeError from
// Parley's code is not one of them.
function isMediasoupError(error: Error): boolean {
  return (
    ['UnsupportedError', 'InvalidStateError', 'WorkerClosedError', 'NotFoundError'].includes(error.name) ||
    (error.stack ?? '').split('\n')[1]?.includes('/mediasoup/node/lib/') === true
  );
}

// node-redis rejects at once while disconnected (its offline queue is off).
function isRedisUnavailable(error: Error): boolean {
  return /^(ClientClosed|ClientOffline|SocketClosedUnexpectedly|ConnectionTimeout|SocketTimeout|ReconnectStrategy)Error$/.test(
    error.constructor.name,
  );
}
