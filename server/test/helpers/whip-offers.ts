/**
 * SDP offers for the WHIP/WHEP tests: the hand-written fixtures of
 * server/test/fixtures/sdp (Chrome, Firefox, OBS, one with no codec Parley
 * has) in CRLF form, the variants derived from Chrome's (simulcast, WHEP
 * recvonly), and a server side (ICE, candidates, DTLS) for answers.
 */
import { readFileSync } from 'node:fs';
import type { types } from 'mediasoup';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/sdp/${name}.sdp`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${line}\r\n`)
    .join('');

export const chromeWhip = fixture('chrome-whip');
export const firefoxWhip = fixture('firefox-whip');
export const obsWhip = fixture('obs-whip');
export const noCodecWhip = fixture('g722-av1');

/** Chrome publishing three simulcast layers: a=rid/a=simulcast instead of the video's SSRC lines (which come last). */
export const chromeSimulcastWhip = chromeWhip.replace(
  /a=ssrc-group:FID 2001 2002[\s\S]*$/,
  'a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n',
);

/** Chrome as a WHEP player: the same m-lines, recvonly, without its own streams. */
export const chromeWhep = chromeWhip
  .replace(/a=sendonly/g, 'a=recvonly')
  .split('\r\n')
  .filter((line) => !/^a=(ssrc|ssrc-group|msid):/.test(line))
  .join('\r\n');

/** Chrome's offer with one line replaced (the first line starting with `prefix`). */
export const withLine = (sdp: string, prefix: string, replacement: string) => {
  const lines = sdp.split('\r\n');
  const index = lines.findIndex((line) => line.startsWith(prefix));
  if (index < 0) throw new Error(`no line starts with ${prefix}`);
  lines[index] = replacement;
  return lines.filter((line, position) => line !== '' || position === lines.length - 1).join('\r\n');
};

export const serverSide = {
  ice: { usernameFragment: 'srvufrag0123456789', password: 'srvpassword0123456789abcdef', iceLite: true } satisfies types.IceParameters,
  candidates: [
    { foundation: 'udpcandidate', priority: 1076302079, ip: '127.0.0.1', address: '127.0.0.1', protocol: 'udp', port: 40000, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, ip: '127.0.0.1', address: '127.0.0.1', protocol: 'tcp', port: 40001, type: 'host', tcpType: 'passive' },
  ] satisfies types.IceCandidate[],
  dtls: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD' },
      { algorithm: 'sha-256', value: '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF' },
    ],
  } satisfies types.DtlsParameters,
};
