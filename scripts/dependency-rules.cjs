/**
 * The layering of Parley, checked by dependency-cruiser (scripts/test.sh runs
 * it). A module may import only from its own layer's folder or from layers
 * below it; nothing may form a cycle.
 *
 *   foundation  protocol/, config.ts, metrics.ts, audio/ (codecs, mixing)
 *   auth/, rtc/, store/, webhooks/
 *   media/
 *   roster/
 *   meeting/
 *   signalling/, telephony/, cluster/, recording/, whip/   (none imports another)
 *   http/
 *   server.ts, main.ts         (the composition root)
 */
const src = 'server/src';
const layers = [
  ['protocol/', 'config\\.ts$', 'metrics\\.ts$', 'audio/'],
  ['auth/', 'rtc/', 'store/', 'webhooks/'],
  ['media/'],
  ['roster/'],
  ['meeting/'],
  ['signalling/', 'telephony/', 'cluster/', 'recording/', 'whip/'],
  ['http/'],
  ['server\\.ts$', 'main\\.ts$'],
];
const pathOf = (parts) => `^${src}/(${parts.join('|')})`;

const layerRules = layers.slice(0, -1).map((own, index) => ({
  name: `layer-${own[0].replace(/[\\/$]/g, '').replace('.ts', '')}`,
  comment: `${own.join(', ')} may not import from the layers above it`,
  severity: 'error',
  from: { path: pathOf(own) },
  to: { path: pathOf(layers.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    { name: 'no-cycles', comment: 'Dependencies run one way.', severity: 'error', from: {}, to: { circular: true } },
    ...layerRules,
    {
      name: 'ways-in-apart',
      comment: 'The WebSocket layer, the phone bridge, the cluster layer, the recorder and WHIP/WHEP all sit on the meeting, never on each other.',
      severity: 'error',
      from: { path: `^${src}/(signalling|telephony|cluster|recording|whip)/` },
      to: { path: `^${src}/(signalling|telephony|cluster|recording|whip)/`, pathNot: `^${src}/$1/` },
    },
    {
      name: 'webhooks-on-the-foundation',
      comment: 'Webhooks only deliver events: any layer may report through them, and they know nothing of meetings, media or rooms.',
      severity: 'error',
      from: { path: `^${src}/webhooks/` },
      to: { path: `^${src}/`, pathNot: `^${src}/(webhooks/|${layers[0].join('|')})` },
    },
    {
      name: 'client-uses-only-the-protocol',
      comment: 'The browser client shares the protocol with the server and nothing else.',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: `^${src}/`, pathNot: `^${src}/protocol/` },
    },
    {
      name: 'scripts-not-on-tests',
      comment: 'Benchmarks and tools use the shared test kit, not the tests.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^server/test/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^node:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
