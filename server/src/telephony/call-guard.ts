/**
 * Who may reach the phone bridge, and how often. Every source has a budget
 * of SIP messages (past it, they are dropped unread: a scanner's flood costs
 * it, not us) and of new calls (past it, 503). Calls are taken only from the
 * allowed networks and the trunk. Wrong PINs are counted per source address
 * and per caller: past the limit, every attempt from either is refused,
 * right or wrong, so guessing cannot go on.
 */
import net from 'node:net';
import { TokenBucket } from '../meeting/token-bucket.js';
import type { SipPeer } from './sip/sip-transport.js';

/** Per source: a burst of 60 SIP messages, then 30 a second. */
const MESSAGE_BURST = 60;
const MESSAGE_REFILL_MS = 1_000 / 30;
/** Per source: a burst of 10 new calls, then one every 2 s. */
const CALL_BURST = 10;
const CALL_REFILL_MS = 2_000;
/** Wrong PINs allowed per source and per caller within WRONG_PIN_WINDOW_MS. */
const WRONG_PINS_ALLOWED = 3;
const WRONG_PIN_WINDOW_MS = 10 * 60_000;
/** Sources remembered at once; the oldest are forgotten first. */
const MAX_SOURCES = 10_000;

export class CallGuard {
  private readonly allowed = new net.BlockList();
  private readonly messages = new Map<string, TokenBucket>();
  private readonly calls = new Map<string, TokenBucket>();
  private readonly wrongPins = new Map<string, number[]>();

  constructor(networks: string, trunkAddresses: string[]) {
    for (const network of networks.split(',')) {
      const [address, bits] = network.split('/');
      const family = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
      this.allowed.addSubnet(address!, Number(bits), family);
    }
    for (const address of trunkAddresses) this.allowed.addAddress(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  }

  /** Whether a message from this source is read at all. */
  admitMessage(source: SipPeer): boolean {
    return bucket(this.messages, source.address, MESSAGE_BURST, MESSAGE_REFILL_MS).take();
  }

  /** Whether this source may place calls here (network policy). */
  trusted(source: SipPeer): boolean {
    const family = net.isIPv6(source.address) ? 'ipv6' : 'ipv4';
    return this.allowed.check(source.address, family);
  }

  /** Whether this source may start another call now. */
  admitCall(source: SipPeer): boolean {
    return bucket(this.calls, source.address, CALL_BURST, CALL_REFILL_MS).take();
  }

  /** Whether this source and caller may still try a PIN. */
  mayTryPin(source: SipPeer, caller: string): boolean {
    return this.recent(`ip:${source.address}`) < WRONG_PINS_ALLOWED && this.recent(`caller:${caller}`) < WRONG_PINS_ALLOWED;
  }

  wrongPin(source: SipPeer, caller: string): void {
    for (const key of [`ip:${source.address}`, `caller:${caller}`]) {
      const times = this.wrongPins.get(key) ?? [];
      times.push(Date.now());
      this.wrongPins.delete(key);
      this.wrongPins.set(key, times.slice(-WRONG_PINS_ALLOWED));
      trim(this.wrongPins);
    }
  }

  private recent(key: string): number {
    const since = Date.now() - WRONG_PIN_WINDOW_MS;
    return (this.wrongPins.get(key) ?? []).filter((time) => time > since).length;
  }
}

function bucket(buckets: Map<string, TokenBucket>, key: string, burst: number, refillMs: number): TokenBucket {
  let found = buckets.get(key);
  if (!found) {
    found = new TokenBucket(burst, refillMs);
    buckets.set(key, found);
    trim(buckets);
  }
  return found;
}

function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_SOURCES) map.delete(map.keys().next().value!);
}
