/**
 * Where a Node process spent its CPU, from a V8 .cpuprofile (node
 * --cpu-prof), counting only the samples inside a time window so start-up
 * and shutdown do not blur a steady-state figure. V8 stamps samples with the
 * monotonic clock in µs, the clock process.hrtime reads, so the window is
 * taken with process.hrtime in the process that drives the load.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples in the window, idle included. */
  windowMs: number;
  /** Milliseconds not idle. */
  busyMs: number;
  /** Busy milliseconds by the package (or part of Node) whose code was running. */
  selfByPackage: Record<string, number>;
  /** Busy milliseconds with each package anywhere on the stack: what it caused, callees included. */
  inclusiveByPackage: Record<string, number>;
  /** The functions with the most self time: "name (file:line)" → ms. */
  topFunctions: Record<string, number>;
}

/** Pseudo-frames V8 adds: idle time, GC, and native code it cannot attribute. */
const PSEUDO: Record<string, string> = { '(idle)': 'idle', '(garbage collector)': 'gc', '(program)': 'native (program)', '(root)': 'native (program)' };

function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (PSEUDO[functionName]) return PSEUDO[functionName];
  if (url === '') return 'V8 builtins';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (module) return module[1]!;
  const parley = /\/server\/src\/([^/]+)/.exec(url);
  return parley ? `parley ${parley[1]!.replace(/\.ts$/, '')}` : url;
}

const add = (totals: Record<string, number>, key: string, ms: number) => (totals[key] = (totals[key] ?? 0) + ms);

const top = (totals: Record<string, number>, count: number) =>
  Object.fromEntries(
    Object.entries(totals)
      .sort(([, a], [, b]) => b - a)
      .slice(0, count)
      .map(([key, ms]) => [key, Math.round(ms * 10) / 10]),
  );

/** Summarises the samples taken between `fromUs` and `toUs` (monotonic µs). */
export async function summariseProfile(file: string, fromUs: number, toUs: number): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) nodes.get(child)!.parent = node.id;
  const summary: ProfileSummary = { windowMs: 0, busyMs: 0, selfByPackage: {}, inclusiveByPackage: {}, topFunctions: {} };
  let time = profile.startTime;
  for (let index = 0; index < profile.samples.length; index++) {
    time += profile.timeDeltas[index]!;
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    if (time < fromUs || time > toUs) continue;
    summary.windowMs += ms;
    const leaf = nodes.get(profile.samples[index]!)!;
    const own = packageOf(leaf.callFrame);
    if (own === 'idle') continue;
    summary.busyMs += ms;
    add(summary.selfByPackage, own, ms);
    const { functionName, url, lineNumber } = leaf.callFrame;
    add(summary.topFunctions, `${functionName || '(anonymous)'} (${url.replace(/^.*\/(node_modules|server)\//, '$1/')}:${lineNumber + 1})`, ms);
    const onStack = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = node.parent === undefined ? undefined : nodes.get(node.parent)) {
      onStack.add(packageOf(node.callFrame));
    }
    for (const name of onStack) add(summary.inclusiveByPackage, name, ms);
  }
  return { ...summary, selfByPackage: top(summary.selfByPackage, 20), inclusiveByPackage: top(summary.inclusiveByPackage, 20), topFunctions: top(summary.topFunctions, 25) };
}
