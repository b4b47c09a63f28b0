/**
 * A browser that records a meeting, the way browser-based recorders do:
 * a headless Chromium launched for this one job, whose page
 * (recorder-page.ts, bundled here by Vite) joins as a participant that
 * sends nothing and records what it receives. The page comes from a small
 * HTTP server of its own on loopback (a page Playwright made up would be
 * refused loopback connections by Chromium's local network access checks),
 * so Parley must allow that origin (PARLEY_ALLOWED_ORIGINS). The browser's
 * CPU is that of its whole process tree: the browser process and every
 * process it started (zygote, renderer, GPU, network and audio utilities).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchBrowser, PAGE_TIMEOUT_MS } from '../../server/testkit/browser.js';
import { waitUntil, withDeadline } from '../../server/testkit/wait.js';
import { childPids, processCpuSeconds } from './process-cpu.js';
import { treeThreads } from './thread-cpu.js';

const PAGE_ENTRY = fileURLToPath(new URL('./recorder-page.ts', import.meta.url));

/** The page's script, mediasoup-client and all, as one classic script. */
export async function bundleRecorderPage(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: { write: false, minify: true, lib: { entry: PAGE_ENTRY, formats: ['iife'], name: 'benchRecorderPage' } },
  });
  const [first] = Array.isArray(output) ? output : [output];
  if (!first || !('output' in first)) throw new Error('Vite gave no bundle for the recorder page');
  return first.output[0].code;
}

/** Serves the page at `url` until closed. */
export async function servePage(script: string): Promise<{ url: string; origin: string; close(): Promise<void> }> {
  const html = `<!doctype html><meta charset="utf-8"><title>recorder</title><body><script>${script}</script></body>`;
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

type PageCall = 'playing' | 'diagnosis' | 'start' | 'stop' | 'file';

export class ChromiumRecorder {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    /** The browser process, parent of all the others. */
    readonly pid: number,
  ) {}

  /** Launches a browser for the recorder, joins the meeting as `name`, and resolves once `cameras` cameras are playing. */
  static async join(options: { pageUrl: string; serverUrl: string; roomId: string; name: string; cameras: number }): Promise<ChromiumRecorder> {
    const before = new Set(await childPids(process.pid));
    const browser = await launchBrowser();
    const launched = (await childPids(process.pid)).filter((pid) => !before.has(pid));
    if (launched.length !== 1) {
      await browser.close();
      throw new Error(`expected one new browser process under this one, found ${launched.length}`);
    }
    const context = await browser.newContext();
    context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    // Without camera or microphone permission Chromium hides its addresses behind mDNS names; nothing is captured.
    await context.grantPermissions(['camera', 'microphone'], { origin: new URL(options.pageUrl).origin });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[recorder page] ${error.message}`));
    const recorder = new ChromiumRecorder(browser, page, launched[0]!);
    try {
      await page.goto(options.pageUrl);
      const join = `benchRecorder.join(${[options.serverUrl, options.roomId, options.name].map((text) => JSON.stringify(text)).join(', ')})`;
      await withDeadline(page.evaluate(join), PAGE_TIMEOUT_MS, 'the recorder page to join');
      const playing = () => recorder.call<number>('playing');
      await waitUntil(playing, (count) => count >= options.cameras, PAGE_TIMEOUT_MS, `${options.cameras} cameras playing in the recorder page`).catch(async (error: Error) => {
        throw new Error(`${error.message}\nthe page's cameras: ${await recorder.call<string>('diagnosis').catch(() => 'unknown')}`);
      });
    } catch (error) {
      await recorder.close();
      throw error;
    }
    return recorder;
  }

  private call<T>(method: PageCall): Promise<T> {
    return withDeadline(this.page.evaluate<T>(`benchRecorder.${method}()`), PAGE_TIMEOUT_MS, `the recorder page's ${method}()`);
  }

  /**
   * CPU seconds used so far by the browser and every process under it, by
   * kind of process, named by Chromium's --type (and a utility's sub-type):
   * browser, zygote, renderer, gpu-process, utility:audio.mojom.AudioService...
   * and by thread within each kind ("renderer/main", "renderer/VideoEncoder"...,
   * from schedstat; threads that ended are missing there).
   */
  async cpu(): Promise<{ byProcess: Record<string, number>; byThread: Record<string, number> }> {
    const byProcess: Record<string, number> = {};
    const kinds = new Map<number, string>();
    const visit = async (pid: number): Promise<void> => {
      // Chromium rewrites its children's command lines into one string, arguments apart by spaces.
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split(/[\0 ]/);
      const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
      const kind = [option('type') ?? 'browser', option('utility-sub-type')].filter(Boolean).join(':');
      kinds.set(pid, kind);
      byProcess[kind] = (byProcess[kind] ?? 0) + (await processCpuSeconds(pid));
      for (const child of await childPids(pid)) await visit(child);
    };
    await visit(this.pid);
    const byThread: Record<string, number> = {};
    for (const { pid, tid, thread, seconds } of await treeThreads(this.pid)) {
      const key = `${kinds.get(pid) ?? 'other'}/${pid === tid ? 'main' : thread}`;
      byThread[key] = (byThread[key] ?? 0) + seconds;
    }
    return { byProcess, byThread };
  }

  /** Starts drawing and recording. */
  start(): Promise<void> {
    return this.call('start');
  }

  /** Stops; resolves with the recording's size, the format MediaRecorder chose, and the frames the page drew into the canvas. */
  stop(): Promise<{ bytes: number; mimeType: string; framesDrawn: number }> {
    return this.call('stop');
  }

  /** The recording, out of the page. */
  async file(): Promise<Buffer> {
    const url = await this.call<string>('file');
    // The type before it may hold commas of its own (video/webm;codecs=vp8,opus).
    return Buffer.from(url.slice(url.indexOf(';base64,') + ';base64,'.length), 'base64');
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
