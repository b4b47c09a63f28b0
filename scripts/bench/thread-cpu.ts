/**
 * CPU time of every thread of a process and its descendants, from
 * /proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, where /proc's
 * stat counts 10 ms ticks (too coarse for the few hundred ms a server uses
 * in a benchmark window).
 */
import { readFile, readdir } from 'node:fs/promises';

export interface ThreadCpu {
  /** The process's command name (node, mediasoup-worker). */
  process: string;
  pid: number;
  /** The thread's name (node, libuv-worker, V8Worker...). */
  thread: string;
  tid: number;
  seconds: number;
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');

async function threadsOf(pid: number): Promise<ThreadCpu[]> {
  const process = (await read(`/proc/${pid}/comm`)).trim();
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const threads = await Promise.all(
    tids.map(async (tid) => {
      const [schedstat, comm] = await Promise.all([read(`/proc/${pid}/task/${tid}/schedstat`), read(`/proc/${pid}/task/${tid}/comm`)]);
      return { process, pid, thread: comm.trim(), tid: Number(tid), seconds: Number(schedstat.split(' ')[0] ?? 0) / 1e9 };
    }),
  );
  return threads.filter((thread) => thread.thread !== '');
}

async function childrenOf(pid: number): Promise<number[]> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tids.map((tid) => read(`/proc/${pid}/task/${tid}/children`)));
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

/** Every thread of `pid` and of its descendants, with the CPU each has used so far. */
export async function treeThreads(pid: number): Promise<ThreadCpu[]> {
  const own = await threadsOf(pid);
  const descendants = await Promise.all((await childrenOf(pid)).map((child) => treeThreads(child)));
  return [...own, ...descendants.flat()];
}

/** CPU seconds each thread used between two readings (threads that ended meanwhile are not counted). */
export function threadDelta(before: ThreadCpu[], after: ThreadCpu[]): ThreadCpu[] {
  const start = new Map(before.map((thread) => [`${thread.pid}/${thread.tid}`, thread.seconds]));
  return after.map((thread) => ({ ...thread, seconds: thread.seconds - (start.get(`${thread.pid}/${thread.tid}`) ?? 0) }));
}

/** Seconds by "process/thread" name, adding threads of one name together. */
export function byThreadName(threads: ThreadCpu[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const { process, thread, pid, tid, seconds } of threads) {
    // The main thread carries the process's name; call it "main" so it reads apart from the others.
    const key = `${process}/${pid === tid ? 'main' : thread}`;
    totals[key] = (totals[key] ?? 0) + seconds;
  }
  return totals;
}

export type ServerPart = 'node' | 'worker' | 'not counted';

/**
 * Which part of a server a thread belongs to. tsx's esbuild service (the
 * servers run from TypeScript source) and the V8 profiler's own thread are
 * tools of the benchmark, not part of the server; their CPU is listed
 * with the threads but not counted.
 */
export function serverPartOf({ process, thread }: ThreadCpu): ServerPart {
  if (process.startsWith('mediasoup-work')) return 'worker'; // comm is cut at 15 characters
  if (process === 'esbuild' || thread === 'v8:ProfEvntProc') return 'not counted';
  return 'node';
}
