/** The webinar benchmark's tables: one row per measured window, then Parley against the bare SFU step by step. */
import os from 'node:os';
import type { ServerFigures, WebinarWindow } from './webinar-window.js';

export type WebinarRow = WebinarWindow & { deployment: 'parley' | 'bare'; step: number; attempt: number };

const cores = os.cpus().length;

export function printHeader(): void {
  console.log(
    `run    | attendees | loss % (worst attendee, lossy) | delivered % | servers' CPU % (node+worker each) | egress Mbit/s to people + to the other node | pipe streams out/in | attendees per core | generator % (node+counters) | redis % | machine % of ${cores * 100} (others) | drops at workers/bots`,
  );
}

const serverCpu = (server: ServerFigures) => `${server.name} ${server.nodeCpuPercent.toFixed(1)}+${server.workerCpuPercent.toFixed(1)}`;
const egress = (server: ServerFigures) => (server.egressMbps ? `${server.name} ${server.egressMbps.webrtc.toFixed(1)}+${server.egressMbps.pipe.toFixed(2)}` : '');
const pipes = (server: ServerFigures) => (server.pipes ? `${server.name} ${server.pipes.streamsOut}/${server.pipes.streamsIn}` : '');

const delivered = (row: WebinarWindow) => row.deliveredPercent?.toFixed(1) ?? '—';

export function printRow(row: WebinarRow): void {
  const parts = (show: (server: ServerFigures) => string) => row.servers.map(show).filter(Boolean).join(', ') || '—';
  console.log(
    [
      row.deployment.padEnd(6),
      String(row.attendees).padStart(9),
      `${row.lossPercent.toFixed(3)} (${row.worstAttendeeLossPercent.toFixed(2)}, ${row.attendeesWithLoss})`.padEnd(30),
      delivered(row).padStart(11),
      `${row.serverCpuPercent.toFixed(1)} = ${parts(serverCpu)}`.padEnd(33),
      parts(egress).padEnd(43),
      parts(pipes).padEnd(19),
      row.attendeesPerCore.toFixed(0).padStart(18),
      `${row.generatorCpuPercent.toFixed(1)} (${row.generatorNodeCpuPercent.toFixed(1)}+${row.generatorCountersCpuPercent.toFixed(1)})`.padStart(27),
      row.redisCpuPercent.toFixed(1).padStart(7),
      `${row.machineBusyPercent.toFixed(0)} (${row.othersCpuPercent.toFixed(0)})`.padStart(11),
      `${row.kernelDrops.workers}/${row.kernelDrops.elsewhere}`.padStart(21),
    ].join(' | '),
  );
}

/** A browser panel's window, per node: what its own panelist sent, and what the node sent on down the pipe and to its attendees. */
export interface PanelEgress {
  attendees: number;
  /** The panel's Chromium, percent of one core (part of the window's "others"). */
  browserCpuPercent: number;
  nodes: {
    name: string;
    attendees: number;
    panelistSentMbps: number;
    pipeMbps: number;
    /** Pipe egress ÷ its panelist's send rate: 1 when each of the panelist's streams leaves the node once. */
    pipeRatio: number;
    pipeStreamsOut: number;
    pipeStreamsIn: number;
    attendeeMbps: number;
    perAttendeeMbps: number;
  }[];
}

/** Node i hosts panelist i and `attendeesPerNode[i]` attendees; `panelistMbps[i]` is what that panelist's page sent in the window. */
export function printPanelEgress(row: WebinarRow, attendeesPerNode: number[], panelistMbps: number[], browserCpuPercent: number): PanelEgress {
  const nodes = row.servers.map((server, i) => {
    const pipeMbps = server.egressMbps?.pipe ?? 0;
    const attendeeMbps = server.egressMbps?.webrtc ?? 0;
    const attendees = attendeesPerNode[i] ?? 0;
    return {
      name: server.name,
      attendees,
      panelistSentMbps: panelistMbps[i] ?? 0,
      pipeMbps,
      pipeRatio: pipeMbps / (panelistMbps[i] ?? NaN),
      pipeStreamsOut: server.pipes?.streamsOut ?? 0,
      pipeStreamsIn: server.pipes?.streamsIn ?? 0,
      attendeeMbps,
      perAttendeeMbps: attendeeMbps / Math.max(1, attendees),
    };
  });
  console.log(`  the panel's Chromium used ${browserCpuPercent.toFixed(1)} % of a core (counted in "others" above)`);
  for (const node of nodes) {
    console.log(
      `  node ${node.name}: its panelist sent ${node.panelistSentMbps.toFixed(2)} Mbit/s; down the pipe ${node.pipeMbps.toFixed(2)} Mbit/s ` +
        `(${node.pipeRatio.toFixed(2)} × its panelist; pipe streams out/in ${node.pipeStreamsOut}/${node.pipeStreamsIn}); ` +
        `to ${node.attendees} attendees ${node.attendeeMbps.toFixed(1)} Mbit/s (${node.perAttendeeMbps.toFixed(2)} each)`,
    );
  }
  return { attendees: row.attendees, browserCpuPercent, nodes };
}

/** The last window measured at each step: a repeated step counts as its final attempt. */
function finalRows(rows: WebinarRow[], deployment: WebinarRow['deployment']): Map<number, WebinarRow> {
  return new Map(rows.filter((row) => row.deployment === deployment).map((row) => [row.step, row]));
}

/**
 * A step without loss: no attendee saw a sequence gap, and they got at
 * least this share of what the panelists sent (less means streams stalled,
 * which gaps do not show).
 */
const CLEAN_DELIVERED_PERCENT = 99;
export const clean = (row: WebinarRow) => row.lossPercent === 0 && (row.deliveredPercent ?? 100) >= CLEAN_DELIVERED_PERCENT;

/** Parley against the bare SFU at each step both measured: CPU for the same fan-out, and attendees per core. */
export function compare(rows: WebinarRow[]) {
  const parley = finalRows(rows, 'parley');
  const bare = finalRows(rows, 'bare');
  const steps = [...parley.keys()].filter((step) => bare.has(step));
  console.log('\nattendees | loss % (delivered %) Parley / bare | CPU % Parley / bare | Parley ÷ bare CPU | attendees per core Parley / bare');
  const comparison = steps.map((step) => {
    const [p, b] = [parley.get(step)!, bare.get(step)!];
    const cpuRatio = p.serverCpuPercent / b.serverCpuPercent;
    console.log(
      [
        String(step).padStart(9),
        `${p.lossPercent.toFixed(3)} (${delivered(p)}) / ${b.lossPercent.toFixed(3)} (${delivered(b)})`.padStart(34),
        `${p.serverCpuPercent.toFixed(1)} / ${b.serverCpuPercent.toFixed(1)}`.padStart(19),
        cpuRatio.toFixed(2).padStart(17),
        `${p.attendeesPerCore.toFixed(0)} / ${b.attendeesPerCore.toFixed(0)}`.padStart(32),
      ].join(' | '),
    );
    const figures = (row: WebinarRow) => ({ clean: clean(row), lossPercent: row.lossPercent, deliveredPercent: row.deliveredPercent, cpuPercent: row.serverCpuPercent, attendeesPerCore: row.attendeesPerCore });
    return { attendees: step, parley: figures(p), bare: figures(b), cpuRatio };
  });
  // The figure the benchmark exists for: the most attendees both carried without loss, per core used, Parley against bare mediasoup.
  const lossless = comparison.filter((entry) => entry.parley.clean && entry.bare.clean).at(-1);
  const parleyClean = [...parley.values()].filter(clean).at(-1);
  if (parleyClean) console.log(`\nParley carried ${parleyClean.step} attendees without loss (${(parleyClean.serverCpuPercent / 100).toFixed(2)} cores over 2 nodes)`);
  if (lossless) {
    console.log(
      `attendees per core at 0 % loss, at the most attendees both carried without loss (${lossless.attendees}): Parley ${lossless.parley.attendeesPerCore.toFixed(0)} ` +
        `(2 nodes, ${(lossless.parley.cpuPercent / 100).toFixed(2)} cores), bare mediasoup ${lossless.bare.attendeesPerCore.toFixed(0)}; Parley ÷ bare CPU ${lossless.cpuRatio.toFixed(2)}`,
    );
  } else console.log('no step both measured was without loss');
  return { comparison, atZeroLoss: lossless };
}
