/** The capacity benchmark's settings, from the environment, checked: a typo fails loudly instead of measuring something else. */
import type { ReceiveMode } from '../load/bot.js';

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, not "${text}"`);
  return value;
}

const env = (name: string, fallback: string) => process.env[name] ?? fallback;

export interface CapacitySettings {
  /** Consumers to reach, step by step (each receiver takes 2: audio and video). */
  steps: number[];
  settleMs: number;
  windowMs: number;
  /** How receivers count media: 'native' hands their sockets to rtp-counter.c processes; see ReceiveMode for the others. */
  receive: ReceiveMode | 'native';
  /** Receivers joining at once while a step fills up. */
  joinConcurrency: number;
}

export function capacitySettings(): CapacitySettings {
  const steps = env('CAPACITY_STEPS', '100,200,300,400,500,600,700,800,900,1000')
    .split(',')
    .map((step) => positiveInteger('each of CAPACITY_STEPS (consumers)', step.trim()));
  if (steps.some((step, i) => i > 0 && step <= steps[i - 1]!)) throw new Error(`CAPACITY_STEPS must rise: ${steps.join(',')}`);
  // A room holds at most 1,000 participants: the publisher and 999 receivers of 2 consumers each.
  if (steps.at(-1)! > 1998) throw new Error(`CAPACITY_STEPS goes up to ${steps.at(-1)} consumers; one room holds at most 1,998`);
  const receive = env('CAPACITY_RECEIVE', 'native');
  if (receive !== 'native' && receive !== 'headers' && receive !== 'decrypt') throw new Error(`CAPACITY_RECEIVE must be native, headers or decrypt, not "${receive}"`);
  return {
    steps,
    settleMs: positiveInteger('CAPACITY_SETTLE_MS', env('CAPACITY_SETTLE_MS', '5000')),
    windowMs: positiveInteger('CAPACITY_WINDOW_MS', env('CAPACITY_WINDOW_MS', '10000')),
    receive,
    joinConcurrency: positiveInteger('CAPACITY_JOIN_CONCURRENCY', env('CAPACITY_JOIN_CONCURRENCY', '10')),
  };
}
