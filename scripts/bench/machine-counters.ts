/**
 * Counters that tell a benchmark how far it can trust its figures: how busy
 * all cores were (other work on the machine competes with the server and
 * the bots), how long a process waited for a free core, and where the
 * kernel dropped UDP datagrams because a socket's receive buffer was full
 * (at the worker: it fell behind; at a bot: the load generator did).
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

/** CPU seconds all cores spent running something so far (user, nice, system, irq, softirq; not idle, iowait or steal). */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!; // "cpu  user nice system idle iowait irq softirq steal ..."
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq!) / TICKS_PER_SECOND;
}

/** Seconds the process's main thread has spent runnable but waiting for a core (/proc/PID/schedstat). */
export async function runQueueWaitSeconds(pid: number): Promise<number> {
  const [, waitNs] = (await readFile(`/proc/${pid}/schedstat`, 'utf8')).trim().split(' ').map(Number);
  return (waitNs ?? 0) / 1e9;
}

/** The inodes of the sockets `pid` holds open, to find them in /proc/net/udp. */
export async function socketInodes(pid: number): Promise<Set<number>> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return new Set(links.flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.slice(1).map(Number) ?? []));
}

/** Datagrams the kernel dropped so far at full receive buffers, in this network namespace: at `sockets`, and at every other socket. */
export async function udpReceiveDrops(sockets: Set<number>): Promise<{ at: number; elsewhere: number }> {
  const drops = { at: 0, elsewhere: 0 };
  for (const line of (await readFile('/proc/net/udp', 'utf8')).split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/); // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (fields.length < 13) continue;
    if (sockets.has(Number(fields[9]))) drops.at += Number(fields[12]);
    else drops.elsewhere += Number(fields[12]);
  }
  return drops;
}
