/** One load run: bots join, media flows for a while, then the receivers report. */
import { Bot, type ReceiveMode } from './bot.js';

export interface LoadOptions {
  baseUrl: string;
  roomId?: string | undefined;
  apiKey?: string | undefined;
  publishers: number;
  subscribers: number;
  seconds: number;
  /** How the subscribers count media (publishers always decrypt); 'decrypt' unless said. */
  receive?: ReceiveMode | undefined;
}

export interface BotReport {
  name: string;
  streams: number;
  packets: number;
  lost: number;
  lossRatio: number;
  kbps: number;
}

export interface LoadReport {
  roomId: string;
  receivers: number;
  streams: number;
  lossRatio: number;
  kbps: number;
  joinMs: number;
  bots: BotReport[];
}

export async function createLoadRoom(baseUrl: string, apiKey?: string): Promise<string> {
  return (await createLoadRoomWithPin(baseUrl, apiKey)).id;
}

/** A room without a lobby, and its dial-in PIN when the server takes phone calls. */
export async function createLoadRoomWithPin(baseUrl: string, apiKey?: string): Promise<{ id: string; pin?: string }> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ lobby: false }),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}`);
  const room = (await response.json()) as { id: string; dialIn?: { pin: string } };
  return { id: room.id, ...(room.dialIn ? { pin: room.dialIn.pin } : {}) };
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const roomId = options.roomId ?? (await createLoadRoom(options.baseUrl, options.apiKey));
  const started = Date.now();
  const bots: Bot[] = [];
  try {
    for (let index = 0; index < options.publishers; index++) {
      bots.push(await Bot.join({ baseUrl: options.baseUrl, roomId, name: `publisher-${index}`, publish: true, subscribe: true }));
    }
    const subscribers = await Promise.all(
      Array.from({ length: options.subscribers }, (_, index) =>
        Bot.join({ baseUrl: options.baseUrl, roomId, name: `subscriber-${index}`, publish: false, subscribe: true, receive: options.receive }),
      ),
    );
    bots.push(...subscribers);
    const joinMs = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const reports = bots.map((bot) => ({ name: bot.name, ...bot.totals() }));
    const packets = reports.reduce((sum, report) => sum + report.packets, 0);
    const lost = reports.reduce((sum, report) => sum + report.lost, 0);
    return {
      roomId,
      receivers: reports.length,
      streams: reports.reduce((sum, report) => sum + report.streams, 0),
      lossRatio: packets + lost ? lost / (packets + lost) : 0,
      kbps: reports.reduce((sum, report) => sum + report.kbps, 0),
      joinMs,
      bots: reports,
    };
  } finally {
    for (const bot of bots) bot.close();
  }
}
