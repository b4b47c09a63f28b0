/**
 * Turns a schema check into a readable error. Works without code generation,
 * so it runs in the browser under a strict Content-Security-Policy; the
 * server passes a compiled checker for speed.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';

export interface Checker<T extends TSchema> {
  Check(value: unknown): value is Static<T>;
  Errors(value: unknown): Iterable<{ path: string; message: string; schema?: TSchema; type?: ValueErrorType }>;
}

export const interpretedChecker = <T extends TSchema>(schema: T): Checker<T> => ({
  Check: (value: unknown): value is Static<T> => Value.Check(schema, value),
  Errors: (value: unknown) => Value.Errors(schema, value),
});

/**
 * The first schema violation, e.g. `/displayName: Expected string length less or equal to 64`.
 * When a string breaks its grammar (a pattern, or every choice of a union,
 * or a record key), a schema's `errorMessage` says what is expected instead
 * of TypeBox's wording, which would quote the whole regular expression.
 */
export function describeFirstError<T extends TSchema>(checker: Checker<T>, value: unknown): string {
  for (const error of checker.Errors(value)) {
    const custom = error.type !== undefined && GRAMMAR_ERRORS.has(error.type) ? error.schema?.['errorMessage'] : undefined;
    return `${escapeControls(error.path) || '/'}: ${typeof custom === 'string' ? custom : error.message}`;
  }
  return 'invalid value';
}

const GRAMMAR_ERRORS = new Set([ValueErrorType.StringPattern, ValueErrorType.Union, ValueErrorType.ObjectAdditionalProperties]);

/** A path names a record key as sent; controls in it are shown as \uXXXX escapes. */
const escapeControls = (text: string) =>
  text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
