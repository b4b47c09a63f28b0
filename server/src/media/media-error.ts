/**
 * A failure inside mediasoup (a refused parameter, a closed worker or
 * transport), wrapped where it happens so that the signalling layer can
 * report it as `media_error` without guessing from stack traces.
 */
import { SignallingError } from '../protocol/errors.js';

export class MediaError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'MediaError';
  }
}

/** Runs one mediasoup call; our own typed errors pass through, anything else becomes a MediaError. */
export async function media<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SignallingError || error instanceof MediaError) throw error;
    throw new MediaError(error);
  }
}
