/**
 * The load balancer of the shared-store bench: a loopback node:http proxy that sends each request to the next of
 * the given ports in turn, over kept-alive connections, as a round-robin balancer in front of stateless instances.
 * Usage: tsx bench/round-robin.ts <port> <port> ...; prints "port <n>".
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const targets = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let next = 0;

const server = createServer((req, res) => {
  const port = targets[next++ % targets.length]!;
  const upstream = request(
    { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  agent.destroy();
});
