/**
 * Real headless Chromium (Debian's /usr/bin/chromium) with fake camera and
 * microphone, for the end-to-end tests and the time-to-first-media
 * benchmark. Run inside a loopback-only network namespace (scripts/test.sh):
 * with --allow-loopback-in-peer-connection only 127.0.0.1 candidates exist.
 * Every Playwright wait is bounded by PAGE_TIMEOUT_MS unless given its own.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Parley } from '../src/server.js';
import { createRoom, type CreatedRoom } from './parley.js';
import { withDeadline } from './wait.js';

/** Default bound of every page action and locator wait (Playwright's own is 30 s); generous for a loaded machine. */
export const PAGE_TIMEOUT_MS = 45_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/** Playwright gives every launch a fresh, temporary --user-data-dir. `extraArgs` are further Chromium flags. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 60_000 });
}

/**
 * A participant in its own browser context, with camera and mic granted
 * (pages without them gather no ICE candidates) and every
 * RTCPeerConnection recorded so the test can read its stats.
 */
export interface Participant {
  context: BrowserContext;
  page: Page;
}

export async function openParticipant(browser: Browser, origin: string): Promise<Participant> {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript(() => {
    const connections: RTCPeerConnection[] = [];
    (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections = connections;
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        connections.push(this);
      }
    };
  });
  const page = await context.newPage();
  // Browser-side errors go to the test log, where a failure can be explained.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.error(`[browser] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`[browser] uncaught: ${error.message}`));
  return { context, page };
}

/** Opens a meeting link, enters a name and joins; resolves once in the meeting (or, with `expect: 'lobby'`, waiting). */
export async function joinMeeting(page: Page, url: string, name: string, expect: 'meeting' | 'lobby' = 'meeting'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  if (expect === 'meeting') await page.getByRole('button', { name: 'Leave' }).waitFor();
  else await page.getByText('Waiting for the host to let you in…').waitFor();
}

export interface InboundTotals {
  framesDecoded: number;
  videoBytes: number;
  audioBytes: number;
  audioSamples: number;
  /** getStats' totalAudioEnergy: rises only while what arrives is not silence. */
  audioEnergy: number;
}

/** Sums the inbound-rtp stats of every open peer connection in the page. */
export function inboundTotals(page: Page): Promise<InboundTotals> {
  // page.evaluate has no timeout of its own.
  return withDeadline(page.evaluate(async () => {
    const totals = { framesDecoded: 0, videoBytes: 0, audioBytes: 0, audioSamples: 0, audioEnergy: 0 };
    const connections = (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections;
    for (const connection of connections) {
      if (connection.connectionState === 'closed') continue;
      (await connection.getStats()).forEach((report: Record<string, unknown>) => {
        if (report['type'] !== 'inbound-rtp') return;
        if (report['kind'] === 'video') {
          totals.framesDecoded += Number(report['framesDecoded'] ?? 0);
          totals.videoBytes += Number(report['bytesReceived'] ?? 0);
        } else {
          totals.audioBytes += Number(report['bytesReceived'] ?? 0);
          totals.audioSamples += Number(report['totalSamplesReceived'] ?? 0);
          totals.audioEnergy += Number(report['totalAudioEnergy'] ?? 0);
        }
      });
    }
    return totals;
  }), PAGE_TIMEOUT_MS, 'the inbound-rtp stats of a page');
}

/** The video inside the tile (figure) labelled `name`: its decoded size and frame count. */
export function tileVideo(page: Page, name: string): Promise<{ width: number; height: number; frames: number }> {
  return page
    .getByRole('group', { name, exact: true })
    .locator('video')
    .evaluate((video: HTMLVideoElement) => ({
      width: video.videoWidth,
      height: video.videoHeight,
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
    }));
}

/** A new room without a lobby, and one browser context per name, each joined in that order. */
export async function startCall<const Names extends readonly string[]>(
  parley: Parley,
  browser: Browser,
  names: Names,
): Promise<{ room: CreatedRoom; participants: { [K in keyof Names]: Participant } }> {
  const room = await createRoom(parley, { lobby: false });
  const participants: Participant[] = [];
  for (const name of names) {
    const participant = await openParticipant(browser, parley.url);
    await joinMeeting(participant.page, room.url, name);
    participants.push(participant);
  }
  return { room, participants: participants as { [K in keyof Names]: Participant } };
}

/**
 * Starts watching `page` for the first frame presented from a remote camera
 * track it does not show yet (the tracks shown now are the old ones, whose
 * last frames do not count). Returns a function that waits, at most `ms`,
 * for that frame and gives the time it was presented (Date.now(), the same
 * clock as this process's on one machine). Call it before the failure.
 */
export async function watchForNewRemoteFrame(page: Page): Promise<(ms: number, what: string) => Promise<number>> {
  const name = `__newFrame${Math.random().toString(36).slice(2)}`;
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await withDeadline(
    page.evaluate(`(() => {
      const trackOf = (video) => video.srcObject && video.srcObject.getVideoTracks()[0];
      const videos = () => [...document.querySelectorAll('.tile.camera video')];
      const old = new Set(videos().map(trackOf).filter(Boolean).map((track) => track.id));
      const watched = new Set();
      window['${name}'] = new Promise((resolve) => {
        let seen = false;
        const presented = () => {
          seen = true;
          resolve(Date.now());
        };
        const look = () => {
          if (seen) return;
          for (const video of videos()) {
            const track = trackOf(video);
            if (!track || old.has(track.id) || watched.has(track.id)) continue;
            watched.add(track.id);
            video.requestVideoFrameCallback(presented);
          }
          setTimeout(look, 10);
        };
        look();
      });
    })()`),
    PAGE_TIMEOUT_MS,
    'a page to start watching for new frames',
  );
  return (ms, what) => withDeadline(page.evaluate<number>(`window['${name}']`), ms, what);
}
