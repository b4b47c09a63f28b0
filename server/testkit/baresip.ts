/**
 * A real SIP phone for telephony tests: Debian's baresip 1.0.0 in its own
 * configuration directory, bound to 127.0.0.1 and registered nowhere. It
 * plays a WAV file as its microphone (aufile), can record what it hears and
 * what it sends (sndfile), sends DTMF as RFC 4733 telephone-events, and is
 * driven through its ctrl_tcp module: netstring-framed JSON commands, with
 * its call events ({"event":true,"type":"CALL_ESTABLISHED",...}) on the same
 * connection.
 *
 * baresip 1.0.0 has no file player, so the speaker is an aubridge device
 * nobody listens to, and recordings are sndfile's per-call dumps in the
 * configuration directory (named by the second the call's audio started).
 * A call ends, with reason "end of file", when the played WAV ends.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeToneWav } from './audio-analysis.js';
import { freePort, freePortPair, randomPortRange } from './ports.js';
import { TestProcess } from './processes.js';
import { nextEvent, withDeadline } from './wait.js';

/** One of baresip's events, as ctrl_tcp sends it. */
export interface BaresipEvent {
  /** CALL_INCOMING, CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED, CALL_DTMF_START, CALL_DTMF_END, AUDIO_ERROR, ... */
  type: string;
  class?: string;
  /** The call's id (its SIP Call-ID). */
  id?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  /** CALL_CLOSED: the reason ("404 Not Found", "Connection reset by peer" for the peer's BYE, "end of file"); CALL_DTMF_START: the digit. */
  param?: string;
  [key: string]: unknown;
}

export interface BaresipOptions {
  /** Answer incoming calls at once (the account's answermode=auto); otherwise call accept(). */
  autoAnswer?: boolean;
  /** 8 kHz mono 16-bit WAV played as the microphone; by default ten minutes of silence. */
  playWav?: string;
  /** Record each call's audio (see recordings()). */
  record?: boolean;
  /** The local SIP port (UDP and TCP); a free one by default. */
  sipPort?: number;
  /** The user part of its address; "phone" by default. */
  user?: string;
  /** Digest credentials it answers a 401 with. */
  auth?: { user: string; password: string };
  /** Offered codecs in order of preference; PCMU then PCMA by default. */
  codecs?: Array<'PCMU' | 'PCMA' | 'opus'>;
}

/** The two sides of one recorded call. */
export interface Recording {
  /** What it received (decoded, before its speaker). */
  heard: string;
  /** What it sent (its microphone, before encoding). */
  sent: string;
}

const RECENT_OUTPUT = 3_000;
const COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_SILENCE_SECONDS = 600;

export class Baresip {
  /** Every event so far, oldest first. */
  readonly events: BaresipEvent[] = [];
  private readonly consumed = new Set<BaresipEvent>();
  private readonly eventListeners = new Set<() => void>();
  private readonly pending = new Map<string, (reply: { ok: boolean; data: string }) => void>();
  private received = Buffer.alloc(0);
  private nextToken = 0;
  private controlError: Error | undefined;

  private constructor(
    readonly sipPort: number,
    readonly user: string,
    private readonly dir: string,
    private readonly process: TestProcess,
    private readonly control: net.Socket,
  ) {
    control.on('data', (chunk: Buffer) => this.onData(chunk));
    // Lost when baresip dies; commands then time out, and their error says this.
    control.on('error', (error) => (this.controlError = error));
  }

  static async start(options: BaresipOptions = {}): Promise<Baresip> {
    // baresip also listens for SIP over TLS on the port after.
    const sipPort = options.sipPort ?? (await freePortPair());
    const controlPort = await freePort();
    const user = options.user ?? 'phone';
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-baresip-'));
    try {
      let playWav = options.playWav;
      if (!playWav) {
        playWav = path.join(dir, 'silence.wav');
        await writeToneWav(playWav, { frequencies: [], seconds: DEFAULT_SILENCE_SECONDS });
      }
      await mkdir(path.join(dir, 'recordings'));
      await writeFile(path.join(dir, 'config'), config({ sipPort, controlPort, playWav, dir, record: options.record ?? false }));
      const codecs = (options.codecs ?? ['PCMU', 'PCMA']).map((codec) => (codec === 'opus' ? 'opus/48000/2' : `${codec}/8000/1`)).join(',');
      const answermode = options.autoAnswer ? 'auto' : 'manual';
      const auth = options.auth ? `;auth_user=${options.auth.user};auth_pass=${options.auth.password}` : '';
      await writeFile(path.join(dir, 'accounts'), `<sip:${user}@127.0.0.1>${auth};regint=0;answermode=${answermode};audio_codecs=${codecs};ptime=20\n`);
      const child = await TestProcess.start('baresip', ['-f', dir], {
        what: `baresip on SIP port ${sipPort}`,
        ready: (output) => output.includes('baresip is ready.'),
        timeoutMs: 15_000,
      });
      try {
        const control = net.connect(controlPort, '127.0.0.1');
        await nextEvent(control, 'connect', 5_000, `baresip's ctrl_tcp on port ${controlPort}`);
        return new Baresip(sipPort, user, dir, child, control);
      } catch (error) {
        await child.kill();
        throw error;
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Its own address, for a server to call: sip:<user>@127.0.0.1:<port>. */
  get uri(): string {
    return `sip:${this.user}@127.0.0.1:${this.sipPort}`;
  }

  /** What baresip printed last. */
  get output(): string {
    return this.process.output;
  }

  /** Places a call ("sip:123@127.0.0.1:5060", with ";transport=tcp" for TCP); progress comes as events. */
  async dial(uri: string): Promise<void> {
    await this.command('dial', uri);
  }

  /** Answers the ringing incoming call (after CALL_INCOMING). */
  async accept(): Promise<void> {
    await this.command('accept');
  }

  /** Ends the current call with BYE (or CANCEL while it rings out). */
  async hangup(): Promise<void> {
    await this.command('hangup');
  }

  /** Sends `digits` (0-9, *, #, A-D) on the current call as RFC 4733 telephone-events, one after another. */
  async sendDtmf(digits: string): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(digits)) throw new Error(`not DTMF digits: ${JSON.stringify(digits)}`);
    await this.command('sndcode', digits);
  }

  /** Runs any ctrl_tcp command (as typed in baresip's long-command menu) and returns its text; throws if baresip says it failed. */
  async command(name: string, params?: string): Promise<string> {
    const token = String(++this.nextToken);
    const reply = new Promise<{ ok: boolean; data: string }>((resolve) => this.pending.set(token, resolve));
    const json = Buffer.from(JSON.stringify({ command: name, params, token }));
    this.control.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]));
    try {
      const { ok, data } = await withDeadline(reply, COMMAND_TIMEOUT_MS, `baresip to answer "${name}"`);
      if (!ok) throw new Error(`baresip refused "${name} ${params ?? ''}": ${data}`);
      return data;
    } catch (error) {
      throw this.withOutput(error as Error);
    } finally {
      this.pending.delete(token);
    }
  }

  /**
   * The oldest event that matches and that no earlier waitFor returned,
   * whether it came before this call or comes within `timeoutMs`. A string
   * matches the event type. The error on timeout lists the events seen and
   * baresip's recent output.
   */
  async waitFor(match: string | ((event: BaresipEvent) => boolean), timeoutMs: number): Promise<BaresipEvent> {
    const matches = typeof match === 'string' ? (event: BaresipEvent) => event.type === match : match;
    const what = typeof match === 'string' ? match : 'a matching event';
    const find = () => this.events.find((event) => !this.consumed.has(event) && matches(event));
    let listener: (() => void) | undefined;
    const found = new Promise<BaresipEvent>((resolve) => {
      listener = () => {
        const event = find();
        if (event) resolve(event);
      };
      this.eventListeners.add(listener);
      listener();
    });
    try {
      const event = await withDeadline(found, timeoutMs, `baresip on port ${this.sipPort} to report ${what}`);
      this.consumed.add(event);
      return event;
    } catch (error) {
      throw this.withOutput(error as Error);
    } finally {
      this.eventListeners.delete(listener!);
    }
  }

  /** The recorded calls, oldest first (options.record); a call's files are complete once its CALL_CLOSED came. */
  async recordings(): Promise<Recording[]> {
    const folder = path.join(this.dir, 'recordings');
    const names = (await readdir(folder)).filter((name) => name.endsWith('-dec.wav')).sort();
    return names.map((name) => ({ heard: path.join(folder, name), sent: path.join(folder, name.replace(/-dec\.wav$/, '-enc.wav')) }));
  }

  /** Kills baresip (SIGTERM, which hangs up its calls with BYE; SIGKILL after 5 s) and removes its directory with the recordings. */
  async stop(): Promise<void> {
    this.control.destroy();
    await this.process.kill('SIGTERM', 5_000);
    await rm(this.dir, { recursive: true, force: true });
  }

  private onData(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    // Netstrings: "<length>:<json>,".
    for (;;) {
      const colon = this.received.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.received.subarray(0, colon).toString('latin1'));
      const end = colon + 1 + length;
      if (this.received.length < end + 1) return;
      const message = JSON.parse(this.received.subarray(colon + 1, end).toString('utf8')) as Record<string, unknown>;
      this.received = this.received.subarray(end + 1);
      if (message.event) {
        this.events.push(message as BaresipEvent);
        for (const listener of this.eventListeners) listener();
      } else if (message.response) {
        this.pending.get(String(message.token))?.({ ok: message.ok === true, data: String(message.data ?? '') });
      }
    }
  }

  private withOutput(error: Error): Error {
    const events = this.events.map((event) => `${event.type}${event.param ? ` ${event.param}` : ''}`).join(', ');
    const lost = this.controlError ? `\nits control connection failed: ${this.controlError.message}` : '';
    const exited = this.process.running ? '' : '\nbaresip has exited';
    error.message += `${lost}${exited}\nbaresip events so far: ${events || 'none'}\nbaresip's recent output:\n${this.output.slice(-RECENT_OUTPUT)}`;
    return error;
  }
}

function config(settings: { sipPort: number; controlPort: number; playWav: string; dir: string; record: boolean }): string {
  const rtp = randomPortRange(40);
  const lines = [
    'poll_method epoll',
    // An address rather than "lo": baresip 1.0.0 finds no address on a named loopback interface.
    'net_interface 127.0.0.1',
    `sip_listen 127.0.0.1:${settings.sipPort}`,
    'call_local_timeout 120',
    'call_max_calls 4',
    `audio_source aufile,${settings.playWav}`,
    'audio_player aubridge,speaker',
    'audio_alert aubridge,alert',
    `rtp_ports ${rtp.min}-${rtp.max}`,
    'rtcp_mux no',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module opus.so',
    'module aufile.so',
    'module aubridge.so',
    ...(settings.record ? ['module sndfile.so', `snd_path ${path.join(settings.dir, 'recordings')}`] : []),
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${settings.controlPort}`,
    // No "[0:00:03] audio=..." status line on every tick.
    'statmode_default off',
  ];
  return `${lines.join('\n')}\n`;
}
