import { randomBytes } from 'node:crypto';

/** 128 random bits, URL-safe: 22 base64url characters. */
export const newRoomId = (): string => randomBytes(16).toString('base64url');

export const ROOM_ID_PATTERN = '^[A-Za-z0-9_-]{22}$';
const roomIdRegExp = new RegExp(ROOM_ID_PATTERN);
export const isRoomId = (value: string): boolean => roomIdRegExp.test(value);
