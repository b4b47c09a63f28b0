/**
 * One measured window of the webinar benchmark: what each attendee got
 * (loss from sequence gaps, per attendee), each server's CPU (its Node
 * process and its mediasoup worker apart, every thread from /proc in
 * nanoseconds), each Parley node's egress and pipes from its /metrics, and
 * the CPU of everything else on the machine: the load generator (this
 * process and its RTP counters), redis-server, and all cores together.
 */
import type { Bot } from '../load/bot.js';
import { machineBusySeconds, socketInodes, udpReceiveDrops } from './machine-counters.js';
import { processCpuSeconds } from './process-cpu.js';
import { sleep } from './results.js';
import { serverPartOf, threadDelta, treeThreads, type ServerPart, type ThreadCpu } from './thread-cpu.js';

export interface ServerSide {
  /** 'A', 'B', or 'bare'. */
  name: string;
  url: string;
  pid: number;
  workerPids: number[];
  /** Parley nodes export /metrics; the bare SFU does not. */
  metrics: boolean;
}

export interface WindowParties {
  servers: ServerSide[];
  attendees: Bot[];
  /** RTP packets the panel has sent so far, where each attendee should get all of them (bots; not a browser's simulcast layers). */
  panelSentPackets?: () => number;
  /** Processes that count for the attendees, and how to bring the attendees' counts up to date. */
  counters: { pids(): number[]; refresh(): Promise<void> };
  /** redis-server, when the servers share one. */
  redisPid: number | undefined;
}

export interface ServerFigures {
  name: string;
  /** Percent of one core over the window. */
  nodeCpuPercent: number;
  workerCpuPercent: number;
  /** Sent by the node's transports, Mbit/s: to participants (webrtc) and to other nodes (pipe). */
  egressMbps?: { webrtc: number; pipe: number };
  /** The node's pipe transports, and the streams leaving (consumers) and arriving (producers) on them. */
  pipes?: { transports: number; streamsOut: number; streamsIn: number };
}

export interface WebinarWindow {
  attendees: number;
  /** Every attendee's packets together. */
  lossPercent: number;
  worstAttendeeLossPercent: number;
  attendeesWithLoss: number;
  /** Packets the attendees received ÷ packets the panelists sent × attendees: below 100 % if streams stall, not only by loss. Unknown for a browser panel. */
  deliveredPercent: number | undefined;
  servers: ServerFigures[];
  /** All servers' Node processes and workers together, percent of one core. */
  serverCpuPercent: number;
  /** Attendees ÷ the cores the servers used. */
  attendeesPerCore: number;
  generatorCpuPercent: number;
  generatorNodeCpuPercent: number;
  generatorCountersCpuPercent: number;
  redisCpuPercent: number;
  /** All cores together (200 % is a fully busy 2-core machine). */
  machineBusyPercent: number;
  /** The part of that used by none of the above (nor tsx's compiler service under the servers): other work competing for the cores. */
  othersCpuPercent: number;
  /** Datagrams the kernel dropped at full receive buffers: at the workers' sockets, and elsewhere (the bots'). */
  kernelDrops: { workers: number; elsewhere: number };
}

type Scrape = Map<string, number>;

const metricsText = async (url: string) => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();

async function scrape(server: ServerSide): Promise<{ at: number; values: Scrape } | undefined> {
  if (!server.metrics) return undefined;
  const asked = performance.now();
  // Asked again once: fetch reuses a kept-alive connection, which the server may close (10 s idle) just as it is reused.
  const text = await metricsText(server.url).catch(() => metricsText(server.url));
  const values = new Map([...text.matchAll(/^(parley_transport[a-z_]*\{type="[a-z]+"\}) (\S+)$/gm)].map((match) => [match[1]!, Number(match[2])]));
  // The node reads its transports' bytes somewhere between question and answer, which takes long on a busy node: take the middle.
  return { at: (asked + performance.now()) / 2, values };
}

async function cpu(parties: WindowParties) {
  const sockets = new Set<number>();
  for (const pid of parties.servers.flatMap((server) => server.workerPids)) for (const inode of await socketInodes(pid)) sockets.add(inode);
  const counters = await Promise.all(parties.counters.pids().map((pid) => processCpuSeconds(pid)));
  return {
    at: performance.now(),
    threads: await Promise.all(parties.servers.map((server) => treeThreads(server.pid))),
    generator: process.cpuUsage(),
    counters: counters.reduce((sum, seconds) => sum + seconds, 0),
    redis: parties.redisPid ? await processCpuSeconds(parties.redisPid) : 0,
    machine: await machineBusySeconds(),
    drops: await udpReceiveDrops(sockets),
  };
}

async function media(parties: WindowParties) {
  // What the panelists have sent, read as the counters are asked for what arrived, so the two match.
  const sent = parties.panelSentPackets?.();
  await parties.counters.refresh();
  return { sent, totals: parties.attendees.map((bot) => bot.totals()) };
}

const secondsOf = (threads: ThreadCpu[], part: ServerPart) => threads.filter((thread) => serverPartOf(thread) === part).reduce((sum, thread) => sum + thread.seconds, 0);

export async function measureWindow(parties: WindowParties, windowMs: number): Promise<WebinarWindow> {
  // The scrapes (a stats request per transport) fall outside the CPU window: before its start, after its end.
  const scrapesBefore = await Promise.all(parties.servers.map(scrape));
  const mediaBefore = await media(parties);
  const before = await cpu(parties);
  await sleep(windowMs);
  const after = await cpu(parties);
  const mediaAfter = await media(parties);
  const scrapesAfter = await Promise.all(parties.servers.map(scrape));

  const seconds = (after.at - before.at) / 1000;
  const percent = (cpuSeconds: number) => (cpuSeconds / seconds) * 100;
  const perAttendee = mediaAfter.totals.map((total, i) => ({ packets: total.packets - mediaBefore.totals[i]!.packets, lost: total.lost - mediaBefore.totals[i]!.lost }));
  const packets = perAttendee.reduce((sum, attendee) => sum + attendee.packets, 0);
  const lost = perAttendee.reduce((sum, attendee) => sum + attendee.lost, 0);
  const lossPercent = ({ packets, lost }: { packets: number; lost: number }) => (lost / Math.max(1, packets + lost)) * 100;

  const servers = parties.servers.map((server, i): ServerFigures => {
    const used = threadDelta(before.threads[i]!, after.threads[i]!);
    const figures: ServerFigures = { name: server.name, nodeCpuPercent: percent(secondsOf(used, 'node')), workerCpuPercent: percent(secondsOf(used, 'worker')) };
    const [first, last] = [scrapesBefore[i], scrapesAfter[i]];
    if (!first || !last) return figures;
    const mbps = (type: string) => {
      const key = `parley_transport_sent_bytes{type="${type}"}`;
      return (((last.values.get(key) ?? 0) - (first.values.get(key) ?? 0)) * 8) / 1e6 / ((last.at - first.at) / 1000);
    };
    const gauge = (name: string) => last.values.get(`${name}{type="pipe"}`) ?? 0;
    return {
      ...figures,
      egressMbps: { webrtc: mbps('webrtc'), pipe: mbps('pipe') },
      pipes: { transports: gauge('parley_transports'), streamsOut: gauge('parley_transport_consumers'), streamsIn: gauge('parley_transport_producers') },
    };
  });
  const serverCpuPercent = servers.reduce((sum, server) => sum + server.nodeCpuPercent + server.workerCpuPercent, 0);
  const tooling = parties.servers.reduce((sum, _server, i) => sum + secondsOf(threadDelta(before.threads[i]!, after.threads[i]!), 'not counted'), 0);
  const generator = process.cpuUsage(before.generator);
  const generatorNode = (generator.user + generator.system) / 1e6;
  const counters = after.counters - before.counters;
  const redis = after.redis - before.redis;
  const machine = after.machine - before.machine;
  return {
    attendees: parties.attendees.length,
    lossPercent: lossPercent({ packets, lost }),
    worstAttendeeLossPercent: Math.max(0, ...perAttendee.map(lossPercent)),
    attendeesWithLoss: perAttendee.filter((attendee) => attendee.lost > 0).length,
    deliveredPercent:
      mediaAfter.sent === undefined || mediaBefore.sent === undefined ? undefined : (packets / Math.max(1, (mediaAfter.sent - mediaBefore.sent) * parties.attendees.length)) * 100,
    servers,
    serverCpuPercent,
    attendeesPerCore: parties.attendees.length / (serverCpuPercent / 100),
    generatorCpuPercent: percent(generatorNode + counters),
    generatorNodeCpuPercent: percent(generatorNode),
    generatorCountersCpuPercent: percent(counters),
    redisCpuPercent: percent(redis),
    machineBusyPercent: percent(machine),
    othersCpuPercent: Math.max(0, percent(machine - generatorNode - counters - redis - tooling) - serverCpuPercent),
    kernelDrops: { workers: after.drops.at - before.drops.at, elsewhere: after.drops.elsewhere - before.drops.elsewhere },
  };
}
