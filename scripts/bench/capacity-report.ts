/** The capacity benchmark's table, one row per measured window, and its summary: what was measured, and what is extrapolated. */
import os from 'node:os';
import type { WindowFigures } from './capacity-window.js';

export type CapacityRow = WindowFigures & { step: number; attempt: number };

export function printHeader(): void {
  console.log(
    `consumers (a+v) | packets/s | delivered % | loss % | worker % | node % | generator % (node+counters) | machine % of ${os.cpus().length * 100} | worker waited % | drops at worker/bots | worker µs/packet`,
  );
}

export function printRow(row: CapacityRow): void {
  const { audio, video } = row.consumers;
  console.log(
    [
      `${audio + video} (${audio}+${video})`.padEnd(15),
      Math.round(row.packetsPerSecond).toString().padStart(9),
      row.deliveredPercent.toFixed(1).padStart(11),
      row.lossPercent.toFixed(2).padStart(6),
      row.workerCpuPercent.toFixed(1).padStart(8),
      row.nodeCpuPercent.toFixed(1).padStart(6),
      `${row.generatorCpuPercent.toFixed(1)} (${row.generatorNodeCpuPercent.toFixed(1)}+${row.generatorCountersCpuPercent.toFixed(1)})`.padStart(27),
      row.machineBusyPercent.toFixed(0).padStart(16),
      row.workerWaitPercent.toFixed(1).padStart(15),
      `${row.kernelDrops.worker}/${row.kernelDrops.bots}`.padStart(20),
      row.workerMicrosecondsPerPacket.toFixed(2).padStart(16),
    ].join(' | '),
  );
}

/** Least squares: y = slope × x + intercept. */
function linearFit(points: [number, number][]): { slope: number; intercept: number } | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

/** The figures the benchmark exists for, printed and returned for the results file. */
export function summarize(rows: CapacityRow[], verdict: string) {
  const within = rows.filter((row) => row.lossPercent <= 1);
  const best = within.at(-1);
  const bestConsumers = best ? best.consumers.audio + best.consumers.video : 0;
  // Worker CPU against consumers, least squares over the steps at <= 1 % loss: the slope is the cost of one more consumer.
  const fit = linearFit(within.map((row) => [row.consumers.audio + row.consumers.video, row.workerCpuPercent]));
  const summary = {
    consumersAtOnePercentLoss: bestConsumers,
    workerCpuPercentAtThatStep: best?.workerCpuPercent,
    workerCpuPercentPerConsumer: best ? best.workerCpuPercent / bestConsumers : undefined,
    workerCpuPercentPerConsumerMarginal: fit?.slope,
    workerCpuPercentAtZeroConsumers: fit?.intercept,
    workerMicrosecondsPerPacket: best?.workerMicrosecondsPerPacket,
    /** Both scale the measured figures to 100 % of a core: extrapolations, labelled as such when printed. */
    consumersPerCoreFromRatio: best ? (bestConsumers / best.workerCpuPercent) * 100 : undefined,
    consumersPerCoreFromSlope: fit && fit.slope > 0 ? (100 - fit.intercept) / fit.slope : undefined,
  };
  const last = rows.at(-1);
  const failed = last && last.lossPercent > 1 ? last : undefined;
  console.log(
    `capacity: ${bestConsumers} consumers on one worker at <= 1 % loss, measured (${verdict})` +
      (failed ? `; the limit lies between ${bestConsumers} and ${failed.step}` : `; the limit is above ${bestConsumers}`),
  );
  if (best) {
    console.log(
      `worker CPU: ${best.workerCpuPercent.toFixed(1)} % of a core at ${bestConsumers} consumers = ${(summary.workerCpuPercentPerConsumer! * 1000).toFixed(1)} % of a core per 1,000 consumers, ` +
        `${best.workerMicrosecondsPerPacket.toFixed(2)} µs of worker CPU per forwarded packet` +
        (fit ? ` (least-squares slope over the steps: ${(fit.slope * 1000).toFixed(1)} % per 1,000)` : ''),
    );
    console.log(
      `consumers per core, EXTRAPOLATED to a full core: ${Math.round(summary.consumersPerCoreFromRatio!)} from the last good step's ratio` +
        (summary.consumersPerCoreFromSlope ? `, ${Math.round(summary.consumersPerCoreFromSlope)} from the slope` : ''),
    );
  }
  return summary;
}
