// The demo server's config.js for the versus-demo benchmark: the demo's own
// config.example.js with loopback addresses (the benchmark runs in a
// loopback-only network namespace), the TLS files the benchmark generates,
// and one mediasoup worker, as Parley gets in the same benchmark.
const path = require('node:path');

// A computed path: the example sits beside this file only in the demo's build, not in the repository.
const config = require(path.join(__dirname, 'config.example.js'));

const LOOPBACK = '127.0.0.1';

// Every listen and announced address, whatever the shape of this version's settings.
function toLoopback(value) {
  if (Array.isArray(value)) value.forEach(toLoopback);
  else if (value && typeof value === 'object') {
    for (const [key, field] of Object.entries(value)) {
      if (['ip', 'listenIp', 'announcedIp', 'announcedAddress'].includes(key) && (typeof field === 'string' || field === null)) value[key] = LOOPBACK;
      else toLoopback(field);
    }
  }
}
toLoopback(config.mediasoup);

config.domain = LOOPBACK;
config.https.listenIp = LOOPBACK;
config.https.tls = { cert: process.env.DEMO_TLS_CERT, key: process.env.DEMO_TLS_KEY };
config.mediasoup.numWorkers = 1;

module.exports = config;
