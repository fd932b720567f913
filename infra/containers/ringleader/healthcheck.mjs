// The ringleader image's HEALTHCHECK. A poller started with a metrics port
// (RINGLEADER_METRICS_PORT, i.e. --metrics-port) is healthy while its /healthz
// answers 200: it holds a ZooKeeper session and hears from Kafka and its handler.
// Other commands (coordinator, sidecar, one-shot tools) serve no health
// endpoint: for them the container's health is that its process runs.
import { get } from 'node:http';

const port = process.env.RINGLEADER_METRICS_PORT;
if (!port) process.exit(0);
const req = get({ host: '127.0.0.1', port: Number(port), path: '/healthz', timeout: 2500 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`healthz: ${err.message}`);
  process.exit(1);
});
