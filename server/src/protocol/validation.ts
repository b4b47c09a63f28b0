/**
 * Turns a schema check into a readable error. Works without code generation,
 * so it runs in the browser under a strict Content-Security-Policy; the
 * server passes a compiled checker for speed.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface Checker<T extends TSchema> {
  Check(value: unknown): value is Static<T>;
  Errors(value: unknown): Iterable<{ path: string; message: string }>;
}

export const interpretedChecker = <T extends TSchema>(schema: T): Checker<T> => ({
  Check: (value: unknown): value is Static<T> => Value.Check(schema, value),
  Errors: (value: unknown) => Value.Errors(schema, value),
});

/** The first schema violation, e.g. `/displayName: Expected string length less or equal to 64`. */
export function describeFirstError<T extends TSchema>(checker: Checker<T>, value: unknown): string {
  for (const error of checker.Errors(value)) {
    return `${error.path || '/'}: ${error.message}`;
  }
  return 'invalid value';
}
