/**
 * Where a live stream may go. A host names the RTMP server, so without a
 * check any host could make this server connect to addresses only it can
 * reach: its own loopback, the private network behind it. Unless the
 * operator allows private targets (PARLEY_STREAM_PRIVATE_TARGETS), every
 * address the name resolves to must be public. ffmpeg resolves the name
 * again when it connects, so a name whose answer changes in between is not
 * caught here: a firewall on the server's outgoing traffic is the complete
 * answer, and docs/recording.md says so.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { SignallingError } from '../protocol/errors.js';

const NOT_PUBLIC = new net.BlockList();
const V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const V6: [string, number][] = [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];
for (const [address, prefix] of V4) NOT_PUBLIC.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of V6) NOT_PUBLIC.addSubnet(address, prefix, 'ipv6');

/** Whether an address is loopback, private, link-local, shared, multicast or reserved. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return NOT_PUBLIC.check(mapped, 'ipv4');
  return NOT_PUBLIC.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Refuses a stream URL whose host is not on the public internet (unless allowed) or does not resolve. */
export async function checkStreamTarget(url: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) throw new SignallingError('not_found', `the stream server ${host} could not be found`);
  if (addresses.some(({ address }) => isPrivateAddress(address))) {
    throw new SignallingError('forbidden', `${host} is a private or local address; this server streams only to the public internet`);
  }
}
