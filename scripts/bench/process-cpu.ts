/** CPU seconds (user + system) used so far by processes, from /proc. */
import { readFile, readdir } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat after the command name (which may hold spaces), from the state on: field 3 is [0]. */
async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

async function ownTicks(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
}

/** The pids of `pid`'s children (of all its threads). */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

/** CPU seconds of this one process (all its threads), without its children. */
export async function processCpuSeconds(pid: number): Promise<number> {
  return (await ownTicks(pid)) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of the children `pid` has waited for (cutime + cstime): the
 * kernel adds an exited child's whole CPU here when its parent reaps it,
 * however short it lived, so a child's CPU is counted exactly once it has
 * ended (Node reaps its children as they exit).
 */
export async function reapedChildrenCpuSeconds(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) / TICKS_PER_SECOND;
}

/** CPU seconds of a process and all its descendants. */
export async function treeCpuSeconds(pid: number): Promise<number> {
  let ticks = await ownTicks(pid);
  for (const child of await childPids(pid)) ticks += (await treeCpuSeconds(child)) * TICKS_PER_SECOND;
  return ticks / TICKS_PER_SECOND;
}

/** The pids of `pid`'s descendants whose command name (/proc/PID/comm, at most 15 characters) is `command`. */
export async function descendantsNamed(pid: number, command: string): Promise<number[]> {
  const found: number[] = [];
  for (const child of await childPids(pid)) {
    const name = (await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '')).trim();
    if (name === command.slice(0, 15)) found.push(child);
    found.push(...(await descendantsNamed(child, command)));
  }
  return found;
}
