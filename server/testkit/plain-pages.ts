/**
 * Pages that know nothing of Parley: served from their own origin (so the
 * WHIP and WHEP endpoints are reached across origins, as a third party's
 * player would), and driven with nothing but RTCPeerConnection and fetch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { PAGE_TIMEOUT_MS } from './browser.js';

export interface PlainOrigin {
  url: string;
  close(): Promise<void>;
}

/** An HTTP origin serving one empty page. */
export async function plainOrigin(): Promise<PlainOrigin> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>plain page</title><body></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function openPlainPage(browser: Browser, origin: PlainOrigin): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  await context.grantPermissions(['camera', 'microphone'], { origin: origin.url });
  const page = await context.newPage();
  await page.goto(origin.url);
  return page;
}

export interface HttpAnswer {
  status: number;
  location: string | null;
  etag: string | null;
  body: string;
}

/** WHIP from the page: its fake camera and microphone, sendonly, POSTed to `endpoint`; the answer applied. */
export function publishFromPage(page: Page, endpoint: string, key: string): Promise<HttpAnswer> {
  return page.evaluate(
    async ({ endpoint, key }) => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
      const pc = new RTCPeerConnection();
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const response = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: pc.localDescription!.sdp });
      const body = await response.text();
      if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: body });
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      return { status: response.status, location: response.headers.get('Location'), etag: response.headers.get('ETag'), body };
    },
    { endpoint, key },
  );
}

/**
 * When a WHEP session's media arrived, in ms of the page's clock
 * (performance.now()): `startedAt` just before the POST, the answer, the
 * first video frame presented (requestVideoFrameCallback) and the first
 * audio samples (getStats polled every 10 ms).
 */
export interface WhepMoments {
  startedAt: number;
  answeredAt?: number;
  firstFrameAt?: number;
  firstAudioAt?: number;
}

/** WHEP from the page: recvonly video and audio, POSTed to `endpoint`; what arrives plays in a <video>, its moments kept (whepMoments). */
export function watchFromPage(page: Page, endpoint: string, token: string): Promise<HttpAnswer> {
  return page.evaluate(
    async ({ endpoint, token }) => {
      const pc = new RTCPeerConnection();
      const moments: WhepMoments = { startedAt: 0 };
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      // Each track plays in its own element, as a player would: the picture, and the sound out loud.
      pc.ontrack = (event) => {
        const element = document.body.appendChild(document.createElement(event.track.kind === 'video' ? 'video' : 'audio'));
        element.autoplay = true;
        element.srcObject = new MediaStream([event.track]);
        if (element instanceof HTMLVideoElement) element.requestVideoFrameCallback(() => (moments.firstFrameAt ??= performance.now()));
      };
      const audioWatch = setInterval(async () => {
        if (pc.connectionState === 'closed') return clearInterval(audioWatch);
        (await pc.getStats()).forEach((report) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio' && (report.totalSamplesReceived ?? 0) > 0) moments.firstAudioAt ??= performance.now();
        });
        if (moments.firstAudioAt !== undefined) clearInterval(audioWatch);
      }, 10);
      (window as unknown as { whep: WhepMoments }).whep = moments;
      await pc.setLocalDescription(await pc.createOffer());
      moments.startedAt = performance.now();
      const response = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` }, body: pc.localDescription!.sdp });
      const body = await response.text();
      moments.answeredAt = performance.now();
      if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: body });
      else clearInterval(audioWatch);
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      return { status: response.status, location: response.headers.get('Location'), etag: response.headers.get('ETag'), body };
    },
    { endpoint, token },
  );
}

/** The moments of the page's WHEP session so far (watchFromPage). */
export function whepMoments(page: Page): Promise<WhepMoments> {
  return page.evaluate(() => ({ ...(window as unknown as { whep: WhepMoments }).whep }));
}

export interface Received {
  framesDecoded: number;
  frameWidth: number;
  audioSamples: number;
  audioEnergy: number;
}

/** What the page's connection has decoded so far. */
export function receivedOnPage(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
    const totals = { framesDecoded: 0, frameWidth: 0, audioSamples: 0, audioEnergy: 0 };
    (await pc.getStats()).forEach((report) => {
      if (report.type !== 'inbound-rtp') return;
      if (report.kind === 'video') {
        totals.framesDecoded += report.framesDecoded ?? 0;
        totals.frameWidth = Math.max(totals.frameWidth, report.frameWidth ?? 0);
      } else {
        totals.audioSamples += report.totalSamplesReceived ?? 0;
        totals.audioEnergy += report.totalAudioEnergy ?? 0;
      }
    });
    return totals;
  });
}

/** DELETE of a session URL with the token that made it, from the page (across origins, as a player would). */
export function deleteFromPage(page: Page, url: string, token: string): Promise<number> {
  return page.evaluate(async ({ url, token }) => (await fetch(url, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })).status, { url, token });
}
