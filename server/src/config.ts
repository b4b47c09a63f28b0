/**
 * Configuration from the environment, validated against one schema. The
 * schema's descriptions and defaults are the configuration reference.
 */
import os from 'node:os';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const ConfigSchema = Type.Object({
  PARLEY_HOST: Type.String({ default: '0.0.0.0', minLength: 1, description: 'Address the HTTP and WebSocket server listens on.' }),
  PARLEY_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'Port of the HTTP and WebSocket server (0 picks a free one).' }),
  PARLEY_PUBLIC_URL: Type.Optional(
    Type.String({ pattern: '^https?://[^\\s/]+(/.*)?$', description: 'Base URL that meeting links use. Defaults to the Host of the request that created the room.' }),
  ),
  PARLEY_RTC_LISTEN_IP: Type.String({ default: '0.0.0.0', minLength: 2, maxLength: 45, pattern: '^[0-9A-Fa-f.:]+$', description: 'Local address mediasoup binds its RTP/ICE sockets to.' }),
  PARLEY_RTC_ANNOUNCED_ADDRESS: Type.Optional(
    Type.String({ minLength: 1, maxLength: 253, description: 'Address or hostname announced to browsers in ICE candidates (the public IP behind NAT). Defaults to the first non-internal IPv4 address, else 127.0.0.1.' }),
  ),
  PARLEY_RTC_MIN_PORT: Type.Integer({ default: 40000, minimum: 1024, maximum: 65535, description: 'Lowest UDP/TCP port for media.' }),
  PARLEY_RTC_MAX_PORT: Type.Integer({ default: 49999, minimum: 1024, maximum: 65535, description: 'Highest UDP/TCP port for media.' }),
  PARLEY_WORKERS: Type.Integer({ default: os.availableParallelism(), minimum: 1, maximum: 256, description: 'Number of mediasoup worker processes (default: one per core).' }),
  PARLEY_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'Log level of the server (pino).' },
  ),
  PARLEY_ENV: Type.Union([Type.Literal('development'), Type.Literal('production')], {
    default: 'development',
    description: 'production refuses to start without a strong PARLEY_SECRET.',
  }),
  PARLEY_API_KEYS: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_-]{24,}(,[A-Za-z0-9_-]{24,})*$', description: 'Comma-separated keys (24+ characters each) that the HTTP API requires as "Authorization: Bearer KEY": for POST /api/rooms, and for the management API (listing rooms and people, removing, ending, recording, streaming), which is off without keys. Unset: anyone who reaches the server may create rooms (open mode).' }),
  ),
  PARLEY_ALLOWED_ORIGINS: Type.Optional(
    Type.String({ pattern: '^https?://[^\\s,]+(,https?://[^\\s,]+)*$', description: 'Comma-separated further origins (scheme://host[:port]) whose pages may open the signalling WebSocket and create rooms with POST /api/rooms. Pages of this server\'s own origin (scheme, host and port as addressed, or PARLEY_PUBLIC_URL) always may; requests without Origin (curl, servers) are not affected.' }),
  ),
  PARLEY_MAX_MESSAGES_PER_SECOND: Type.Integer({ default: 30, minimum: 1, maximum: 1_000_000, description: 'Signalling messages one connection may send per second (bursts of twice that); past it they are refused, and more than 100 refused within 10 s close the connection (1008).' }),
  PARLEY_TRUST_PROXY: Type.Boolean({ default: false, description: 'Behind a reverse proxy: take the client address from the last X-Forwarded-For entry (for per-IP limits and logs). Only enable it when the proxy sets that header.' }),
  PARLEY_MAX_CONNECTIONS_PER_IP: Type.Integer({ default: 20, minimum: 1, maximum: 10_000, description: 'Signalling connections one IP address may hold at once; as many again may be connecting (request not yet complete) at once, each closed after 10 s without a complete request.' }),
  PARLEY_MAX_HELD_SESSIONS: Type.Integer({ default: 500, minimum: 1, maximum: 100_000, description: 'Sessions this node holds for resume after their connection dropped; past it the oldest closes.' }),
  PARLEY_TURN_URLS: Type.Optional(
    Type.String({ pattern: '^turns?:[^\\s,]+(,turns?:[^\\s,]+)*$', description: 'Comma-separated TURN URLs handed to browsers, e.g. turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349.' }),
  ),
  PARLEY_TURN_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'Secret shared with coturn (static-auth-secret) for short-lived TURN credentials.' }),
  ),
  PARLEY_FORCE_RELAY: Type.Boolean({ default: false, description: 'Browsers send all media through TURN (hides their addresses from the media server and other networks; needs PARLEY_TURN_URLS).' }),
  PARLEY_TURN_CREDENTIAL_TTL_SECONDS: Type.Integer({ default: 3600, minimum: 60, maximum: 86_400, description: 'How long a TURN credential handed to a browser stays valid.' }),
  PARLEY_SECRET: Type.Optional(
    Type.String({ minLength: 32, description: 'Secret that signs meeting credentials (at least 32 characters). Unset: a random one per process, so links stop working after a restart. Every node of one deployment needs the same value.' }),
  ),
  PARLEY_CREDENTIAL_TTL_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 24 * 365, description: 'How long host links and participant credentials stay valid.' }),
  PARLEY_REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'Redis holding the shared room state, e.g. redis://redis:6379. Unset: room state stays in this process and the node runs alone.' }),
  ),
  PARLEY_NODE_ID: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Name of this node among the nodes sharing one Redis. Default: host name plus a random suffix.' }),
  ),
  PARLEY_INTERNAL_URL: Type.Optional(
    Type.String({ pattern: '^https?://[^\\s/]+/?$', description: 'Base URL other nodes use to reach this node (node-to-node media set-up). Default: http://PARLEY_RTC_ANNOUNCED_ADDRESS:PARLEY_PORT.' }),
  ),
  PARLEY_DATA_DIR: Type.String({
    default: 'data',
    minLength: 1,
    maxLength: 4096,
    description: 'Directory for what Parley keeps on disk, relative to the working directory unless absolute: webhook events not yet delivered (each node needs its own), and recordings unless PARLEY_RECORDINGS_DIR is set.',
  }),
  PARLEY_WEBHOOK_URLS: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s,/]+[^\\s,]*(,https?://[^\\s,/]+[^\\s,]*)*$',
      description: 'Comma-separated URLs that receive signed webhook events (room, participant, recording and stream events) by POST, in order, retried for up to 24 h (docs/webhooks.md). Needs PARLEY_WEBHOOK_SECRET.',
    }),
  ),
  PARLEY_WEBHOOK_SECRET: Type.Optional(
    Type.String({ minLength: 32, description: 'Secret that signs webhook deliveries (Parley-Signature header; at least 32 characters). Receivers check each delivery with it.' }),
  ),
  PARLEY_ROOM_PEERS_PER_ROUTER: Type.Integer({ default: 100, minimum: 1, maximum: 10_000, description: 'Peers of one room served by one router (worker) before newcomers go to a router on another worker, piped together.' }),
  PARLEY_MAX_PEERS_PER_ROOM: Type.Integer({ default: 50, minimum: 1, maximum: 1000, description: 'Participants allowed in one room (in a webinar: its panel).' }),
  PARLEY_MAX_ATTENDEES_PER_ROOM: Type.Integer({
    default: 1000,
    minimum: 0,
    maximum: 10000,
    description: "A webinar's attendees (WHEP players included), on every node together; 0 lets nobody watch.",
  }),
  PARLEY_SIP_ENABLED: Type.Boolean({ default: true, description: 'Take phone calls over SIP (UDP and TCP on PARLEY_SIP_PORT). If the port is taken, the server runs without SIP and says so.' }),
  PARLEY_SIP_PORT: Type.Integer({ default: 5060, minimum: 0, maximum: 65535, description: 'SIP port, UDP and TCP (0 picks a free one).' }),
  PARLEY_SIP_LISTEN_IP: Type.String({ default: '0.0.0.0', minLength: 2, maxLength: 45, pattern: '^[0-9A-Fa-f.:]+$', description: 'Local address of the SIP sockets and the phones\' RTP sockets.' }),
  PARLEY_SIP_ANNOUNCED_ADDRESS: Type.Optional(
    Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$', description: 'Address phones and trunks reach this server at (SIP Contact and the SDP of calls). Defaults to PARLEY_RTC_ANNOUNCED_ADDRESS.' }),
  ),
  PARLEY_SIP_RTP_MIN_PORT: Type.Integer({ default: 32000, minimum: 1024, maximum: 65535, description: 'Lowest UDP port for phone calls\' audio (RTP).' }),
  PARLEY_SIP_RTP_MAX_PORT: Type.Integer({ default: 32999, minimum: 1024, maximum: 65535, description: 'Highest UDP port for phone calls\' audio (RTP).' }),
  PARLEY_SIP_ALLOWED_NETWORKS: Type.String({
    default: '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1/128,fc00::/7',
    pattern: '^[0-9A-Fa-f.:]+/[0-9]{1,3}(,[0-9A-Fa-f.:]+/[0-9]{1,3})*$',
    description: 'Comma-separated networks (CIDR) whose phones and PBXs may call in. Default: loopback and private networks only. The trunk (PARLEY_SIP_TRUNK) may always call.',
  }),
  PARLEY_SIP_TLS_PORT: Type.Integer({ default: 5061, minimum: 0, maximum: 65535, description: 'SIP over TLS port, when PARLEY_SIP_TLS_CERT_FILE and PARLEY_SIP_TLS_KEY_FILE are set (0 picks a free one).' }),
  PARLEY_SIP_TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'PEM certificate (chain) for SIP over TLS. With PARLEY_SIP_TLS_KEY_FILE, turns SIP over TLS on.' })),
  PARLEY_SIP_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'PEM private key for SIP over TLS.' })),
  PARLEY_SIP_ACCOUNTS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._~+-]{1,64}:[^,:\\s]{12,128}(,[A-Za-z0-9._~+-]{1,64}:[^,:\\s]{12,128})*$',
      description: 'Comma-separated user:password digest accounts (passwords of 12+ characters) that may call in from any network, e.g. a PBX outside PARLEY_SIP_ALLOWED_NETWORKS. Wrong answers count as wrong PINs.',
    }),
  ),
  PARLEY_SIP_MEDIA_TIMEOUT_SECONDS: Type.Integer({ default: 60, minimum: 2, maximum: 3600, description: 'A phone that should be sending but sends no RTP for this long is hung up on (it went away without a BYE). Held calls are exempt.' }),
  PARLEY_SIP_MAX_CALLS: Type.Integer({ default: 50, minimum: 1, maximum: 10_000, description: 'Phone calls this node carries at once; more get 503.' }),
  PARLEY_SIP_TRUNK: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$', description: 'host[:port] of the SIP trunk or PBX that dial-out goes through (its outbound proxy). Unset: SIP URIs are called directly and numbers cannot be.' }),
  ),
  PARLEY_SIP_TRUNK_USERNAME: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s"]+$', description: 'Digest user name for the trunk.' })),
  PARLEY_SIP_TRUNK_PASSWORD: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Digest password for the trunk.' })),
  PARLEY_SIP_DIAL_OUT_ALLOW: Type.Optional(
    Type.String({
      pattern: '^[^,\\s]{1,128}(,[^,\\s]{1,128})*$',
      description: 'Comma-separated destinations hosts may call; * matches any run of characters, e.g. +4930*,sip:*@pbx.example.com. Unset: dial-out is off. Guards against toll fraud.',
    }),
  ),
  PARLEY_RECORDING_ENABLED: Type.Boolean({ default: true, description: 'Hosts may record meetings and stream them live to RTMP(S) (needs ffmpeg on PATH; without it the server says so and offers neither).' }),
  PARLEY_RECORDINGS_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^\\n]+$',
      description: 'Where recordings are kept (relative to the working directory unless absolute): one directory per recording, with its MP4, and with per-track files when asked for. Default: PARLEY_DATA_DIR/recordings. Several nodes should share it (a mounted volume), so that any node serves any download.',
    }),
  ),
  PARLEY_RECORDING_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 0, maximum: 36_500, description: 'Recordings older than this are deleted (checked hourly); 0 keeps them forever.' }),
  PARLEY_RECORDING_LINK_TTL_HOURS: Type.Integer({ default: 24, minimum: 1, maximum: 24 * 30, description: 'How long a recording\'s download link works once handed out.' }),
  PARLEY_MAX_RECORDINGS: Type.Integer({ default: 20, minimum: 1, maximum: 10_000, description: 'Meetings this node records at once; past it, a host starting one is told the server is busy.' }),
  PARLEY_MAX_STREAMS: Type.Integer({ default: 2, minimum: 1, maximum: 1_000, description: 'Meetings this node streams live at once (each takes about half a core to encode 720p); past it, a host starting one is told the server is busy.' }),
  PARLEY_STREAM_PRIVATE_TARGETS: Type.Boolean({ default: false, description: 'Hosts may stream to private, loopback and link-local addresses (an RTMP server inside your network). Off: only to public addresses, so a host cannot make the server reach what only it can reach.' }),
  PARLEY_RECORDING_MIN_FREE_MB: Type.Integer({ default: 1024, minimum: 0, maximum: 10_000_000, description: 'No recording starts when the recordings directory has less free space than this.' }),
});

export type Config = Static<typeof ConfigSchema> & { PARLEY_RTC_ANNOUNCED_ADDRESS: string };

/** Read by the scripts in scripts/, not by the server. */
const SCRIPT_SETTINGS = ['PARLEY_CACHE_DIR'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Long enough and not a repetition: at least 32 characters, 12 of them distinct. */
function isStrongSecret(secret: string | undefined): boolean {
  return secret !== undefined && secret.length >= 32 && new Set(secret).size >= 12;
}

function firstExternalIpv4(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const external = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (external) return external.address;
  }
  return undefined;
}

/** Reads PARLEY_* variables; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(ConfigSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const unknown = Object.keys(env).filter(
    (name) => name.startsWith('PARLEY_') && !known.includes(name) && !SCRIPT_SETTINGS.includes(name),
  );
  const candidate = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, { ...raw }));
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((error) => {
    const choices = (error.schema.anyOf as { const?: unknown }[] | undefined)?.map((choice) => choice.const);
    const message = choices ? `must be one of ${choices.join(', ')}` : error.message;
    return `${error.path.slice(1)}=${JSON.stringify(raw[error.path.slice(1)] ?? null)}: ${message}`;
  });
  problems.push(...unknown.map((name) => `${name}: unknown setting`));
  if (problems.length === 0) {
    const config = candidate as Static<typeof ConfigSchema>;
    if (config.PARLEY_RTC_MIN_PORT > config.PARLEY_RTC_MAX_PORT) {
      problems.push('PARLEY_RTC_MIN_PORT must not be above PARLEY_RTC_MAX_PORT');
    } else if (config.PARLEY_SIP_RTP_MIN_PORT > config.PARLEY_SIP_RTP_MAX_PORT) {
      problems.push('PARLEY_SIP_RTP_MIN_PORT must not be above PARLEY_SIP_RTP_MAX_PORT');
    } else if (Boolean(config.PARLEY_SIP_TLS_CERT_FILE) !== Boolean(config.PARLEY_SIP_TLS_KEY_FILE)) {
      problems.push('PARLEY_SIP_TLS_CERT_FILE and PARLEY_SIP_TLS_KEY_FILE go together');
    } else if (Boolean(config.PARLEY_SIP_TRUNK_USERNAME) !== Boolean(config.PARLEY_SIP_TRUNK_PASSWORD)) {
      problems.push('PARLEY_SIP_TRUNK_USERNAME and PARLEY_SIP_TRUNK_PASSWORD go together');
    } else if (config.PARLEY_REDIS_URL && !config.PARLEY_SECRET) {
      problems.push('PARLEY_SECRET is required with PARLEY_REDIS_URL: every node must sign and check the same credentials');
    } else if (config.PARLEY_ENV === 'production' && !isStrongSecret(config.PARLEY_SECRET)) {
      problems.push('PARLEY_SECRET must be set to a strong random value in production (32+ characters, e.g. openssl rand -base64 33)');
    } else if (Boolean(config.PARLEY_TURN_URLS) !== Boolean(config.PARLEY_TURN_SECRET)) {
      problems.push('PARLEY_TURN_URLS and PARLEY_TURN_SECRET go together');
    } else if (config.PARLEY_FORCE_RELAY && !config.PARLEY_TURN_URLS) {
      problems.push('PARLEY_FORCE_RELAY needs PARLEY_TURN_URLS and PARLEY_TURN_SECRET');
    } else if (config.PARLEY_WEBHOOK_URLS && !config.PARLEY_WEBHOOK_SECRET) {
      problems.push('PARLEY_WEBHOOK_SECRET is required with PARLEY_WEBHOOK_URLS: receivers check every delivery with it (32+ characters, e.g. openssl rand -hex 32)');
    } else {
      return {
        ...config,
        PARLEY_DATA_DIR: path.resolve(config.PARLEY_DATA_DIR),
        PARLEY_RTC_ANNOUNCED_ADDRESS: config.PARLEY_RTC_ANNOUNCED_ADDRESS ?? firstExternalIpv4() ?? '127.0.0.1',
      };
    }
  }
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}
