/**
 * What callers hear: short spoken prompts, generated at build time by
 * scripts/prompts/build.sh (espeak-ng) as raw 8 kHz mono 16-bit PCM in
 * dist/prompts. A missing prompt is silence and a warning, never a failed
 * call.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';

export const PROMPT_NAMES = [
  'welcome',
  'wrong-pin',
  'too-many',
  'lobby',
  'joined',
  'muted',
  'unmuted',
  'ask-unmute',
  'denied',
  'removed',
  'ended',
  'full',
] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

export const PROMPT_RATE = 8000;

export type Prompts = Record<PromptName, Int16Array>;

export async function loadPrompts(directory: URL, logger: FastifyBaseLogger): Promise<Prompts> {
  const entries = await Promise.all(
    PROMPT_NAMES.map(async (name) => {
      try {
        const bytes = await readFile(new URL(`${name}.raw`, directory));
        const even = bytes.length - (bytes.length % 2);
        return [name, new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + even))] as const;
      } catch {
        logger.warn({ prompt: name, directory: directory.pathname }, 'a phone prompt is missing (run the build); callers hear silence there');
        return [name, new Int16Array(0)] as const;
      }
    }),
  );
  return Object.fromEntries(entries) as Prompts;
}
