/** Benchmarks print their figures and also write them to bench-results/NAME.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';

export async function saveResults(name: string, figures: object): Promise<void> {
  const directory = process.env['BENCH_OUTPUT'] ?? 'bench-results';
  await mkdir(directory, { recursive: true });
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const file = `${directory}/${name}.json`;
  await writeFile(file, `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
  console.log(`figures written to ${file}`);
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export { sleep } from '../../server/testkit/wait.js';

/** A benchmark setting from the environment: a whole number of at least 1, or `fallback` when unset. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not "${text}"`);
  return value;
}
