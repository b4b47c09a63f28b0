import { randomBytes, randomInt } from 'node:crypto';

/** 128 random bits, URL-safe: 22 base64url characters. */
export const newRoomId = (): string => randomBytes(16).toString('base64url');

export const ROOM_ID_PATTERN = '^[A-Za-z0-9_-]{22}$';
const roomIdRegExp = new RegExp(ROOM_ID_PATTERN);
export const isRoomId = (value: string): boolean => roomIdRegExp.test(value);

/** A dial-in PIN: 9 random digits (a billion of them; wrong guesses are limited per caller and source). */
export const newDialInPin = (): string => String(randomInt(0, 1_000_000_000)).padStart(9, '0');
