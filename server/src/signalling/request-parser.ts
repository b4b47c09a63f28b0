/**
 * Turns one raw WebSocket frame into a typed request, or into the error
 * response that explains what was wrong with it.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MAX_MESSAGE_BYTES } from '../protocol/limits.js';
import type { ErrorBody } from '../protocol/messages.js';
import { isRequestMethod, RequestEnvelope, Requests, type ClientRequest } from '../protocol/messages.js';
import { describeFirstError, type Checker } from '../protocol/validation.js';

export type ParseResult = { ok: true; request: ClientRequest } | { ok: false; id: number | null; error: ErrorBody };

const compile = <T extends TSchema>(schema: T): Checker<T> => TypeCompiler.Compile(schema);
const envelopeChecker = compile(RequestEnvelope);
const dataCheckers = Object.fromEntries(
  Object.entries(Requests).map(([method, { request }]) => [method, compile(request)]),
) as Record<string, Checker<TSchema>>;

/** A frame as received (bytes), or as text in tests. Oversized frames are refused before they are decoded. */
export function parseRequest(raw: Buffer | string): ParseResult {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > MAX_MESSAGE_BYTES) {
    return { ok: false, id: null, error: { code: 'message_too_large', message: `messages are limited to ${MAX_MESSAGE_BYTES} bytes` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    return { ok: false, id: null, error: { code: 'bad_message', message: 'message is not valid JSON' } };
  }
  const id = requestIdOf(value);
  if (!envelopeChecker.Check(value)) {
    return { ok: false, id, error: { code: 'bad_message', message: describeFirstError(envelopeChecker, value) } };
  }
  if (!isRequestMethod(value.method)) {
    return { ok: false, id, error: { code: 'unknown_method', message: `unknown method "${value.method}"` } };
  }
  const checker = dataCheckers[value.method]!;
  if (!checker.Check(value.data)) {
    return {
      ok: false,
      id,
      error: { code: 'bad_message', message: `${value.method}: /data${describeFirstError(checker, value.data)}` },
    };
  }
  return { ok: true, request: value as ClientRequest };
}

/** The id to answer with, if the message carried a usable one. */
function requestIdOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const { id } = value;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : null;
}
