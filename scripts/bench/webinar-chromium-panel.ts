/**
 * The webinar benchmark's panel in headless Chromium: two meeting pages
 * with the fake camera and microphone, one on each node, the first through
 * the host link. Once each sees the other, the host turns webinar mode on
 * from the page (More options → Turn webinar mode on), so everyone who
 * joins after is an attendee. The pages publish as people do: camera in
 * three simulcast layers, and Opus.
 */
import type { Browser, Page } from 'playwright-core';
import { PAGE_TIMEOUT_MS, joinMeeting, launchBrowser, openParticipant, tileVideo } from '../../server/testkit/browser.js';
import { waitUntil, withDeadline } from '../../server/testkit/wait.js';
import { descendantsNamed, treeCpuSeconds } from './process-cpu.js';

export interface ChromiumPanel {
  /** The panelists' names, in node order. */
  names: string[];
  /** Bytes each page has sent so far, RTP headers and payload over all its streams, in node order. */
  sentBytes(): Promise<number[]>;
  /** CPU seconds Chromium (all its processes) has used so far. */
  cpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

const NAMES = ['Panelist A', 'Panelist B'];

/** Bytes the page's peer connections have sent (outbound-rtp, with headers). */
function outboundBytes(page: Page): Promise<number> {
  return withDeadline(
    page.evaluate(async () => {
      let bytes = 0;
      for (const connection of (window as unknown as { __peerConnections: RTCPeerConnection[] }).__peerConnections) {
        if (connection.connectionState === 'closed') continue;
        (await connection.getStats()).forEach((report: Record<string, unknown>) => {
          if (report['type'] === 'outbound-rtp') bytes += Number(report['bytesSent'] ?? 0) + Number(report['headerBytesSent'] ?? 0);
        });
      }
      return bytes;
    }),
    PAGE_TIMEOUT_MS,
    'the outbound-rtp stats of a panelist page',
  );
}

/** `roomUrl` is the room's link on any node; each page opens it on its own node (`nodeUrls`), the first with `hostCredential`. */
export async function joinChromiumPanel(nodeUrls: string[], roomUrl: string, hostCredential: string): Promise<ChromiumPanel> {
  const before = new Set(await descendantsNamed(process.pid, 'chromium'));
  const browser: Browser = await launchBrowser();
  try {
    // Its first process, which all its others descend from: the one this launch added.
    const roots = (await descendantsNamed(process.pid, 'chromium')).filter((pid) => !before.has(pid));
    const root = roots[0];
    if (root === undefined) throw new Error('found no chromium process under this one');
    const pages: Page[] = [];
    const { pathname } = new URL(roomUrl);
    for (const [i, origin] of nodeUrls.entries()) {
      const participant = await openParticipant(browser, origin);
      await joinMeeting(participant.page, `${origin}${pathname}${i === 0 ? `#host=${hostCredential}` : ''}`, NAMES[i]!);
      pages.push(participant.page);
    }
    for (const [i, page] of pages.entries()) {
      const other = NAMES[1 - i]!;
      await waitUntil(() => tileVideo(page, other), (video) => video.frames > 0 && video.width > 0, 30_000, `${NAMES[i]} to see ${other}`);
    }
    const host = pages[0]!;
    await host.getByRole('button', { name: 'More options' }).click();
    await host.getByRole('button', { name: 'Turn webinar mode on' }).click();
    await host.getByText('0 attendees').waitFor();
    return {
      names: NAMES.slice(0, pages.length),
      sentBytes: () => Promise.all(pages.map(outboundBytes)),
      cpuSeconds: () => treeCpuSeconds(root),
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
