/**
 * The SDP fragments of WHIP/WHEP PATCH requests (RFC 8840
 * application/trickle-ice-sdpfrag): the client's trickled candidates or ICE
 * restart, and Parley's reply to a restart with its new credentials and
 * candidates.
 */
import type { types } from 'mediasoup';
import { candidateOf } from './sdp-answer.js';
import { ICE_PWD, ICE_UFRAG, MID, quote, safeLines, SdpError } from './sdp-guard.js';

const MAX_CANDIDATES = 64;
/** a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [extensions] (RFC 8839 §5.1). */
const CANDIDATE = /^a=candidate:[A-Za-z0-9+/]{1,32} \d{1,3} [A-Za-z]{1,16} \d{1,10} [A-Za-z0-9.:-]{1,255} \d{1,5} typ [a-z]{1,16}( [\x21-\x7e]{1,255} [\x21-\x7e]{1,255})*$/;

/** The client's fragment: its new ICE credentials when it restarts ICE, and how many candidates it trickles. */
export function parseSdpFragment(text: string): { iceUfrag?: string; icePwd?: string; candidates: number } {
  const lines = safeLines(text, 'SDP fragment');
  let iceUfrag: string | undefined;
  let icePwd: string | undefined;
  let candidates = 0;
  for (const line of lines) {
    const [, name = '', value = ''] = /^a=([a-z-]+)(?::(.*))?$/.exec(line) ?? [];
    if (name === 'ice-ufrag') {
      if (!ICE_UFRAG.test(value) || (iceUfrag !== undefined && iceUfrag !== value)) throw new SdpError(400, 'the fragment has an invalid a=ice-ufrag');
      iceUfrag = value;
    } else if (name === 'ice-pwd') {
      if (!ICE_PWD.test(value) || (icePwd !== undefined && icePwd !== value)) throw new SdpError(400, 'the fragment has an invalid a=ice-pwd');
      icePwd = value;
    } else if (name === 'candidate') {
      if (!CANDIDATE.test(line)) throw new SdpError(400, `the fragment has a malformed candidate: ${quote(line)}`);
      if (++candidates > MAX_CANDIDATES) throw new SdpError(400, `the fragment has more than ${MAX_CANDIDATES} candidates`);
    } else if (name === 'mid') {
      if (!MID.test(value)) throw new SdpError(400, `the fragment has an invalid a=mid: ${quote(value)}`);
    } else if (!line.startsWith('m=') && !['ice-options', 'ice-lite', 'group'].includes(name) && name !== 'end-of-candidates') {
      throw new SdpError(400, `the fragment has a line trickle-ice-sdpfrag does not allow: ${quote(line)}`);
    }
  }
  if ((iceUfrag === undefined) !== (icePwd === undefined)) throw new SdpError(400, 'an ICE restart needs both a=ice-ufrag and a=ice-pwd');
  return { ...(iceUfrag !== undefined ? { iceUfrag, icePwd } : {}), candidates };
}

/** Parley's reply to an ICE restart: its new credentials and candidates under each mid. */
export function writeSdpFragment(input: { ice: types.IceParameters; candidates: types.IceCandidate[]; mids: string[] }): string {
  const lines = ['a=ice-lite'];
  for (const mid of input.mids.filter((one) => MID.test(one))) {
    lines.push('m=audio 9 RTP/AVP 0', `a=mid:${mid}`, `a=ice-ufrag:${input.ice.usernameFragment}`, `a=ice-pwd:${input.ice.password}`);
    for (const candidate of input.candidates.map(candidateOf)) {
      const tcpType = candidate.tcptype ? ` tcptype ${candidate.tcptype}` : '';
      lines.push(`a=candidate:${candidate.foundation} 1 ${candidate.transport} ${candidate.priority} ${candidate.ip} ${candidate.port} typ ${candidate.type}${tcpType}`);
    }
    lines.push('a=end-of-candidates');
  }
  return `${lines.join('\r\n')}\r\n`;
}
