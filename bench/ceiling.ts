/**
 * The ceiling for the HTTP benchmark: a bare node:http server that does only what no correct
 * endpoint may skip (verify the Ed25519 signature over timestamp + body) and returns fixed bytes.
 * Usage: tsx bench/ceiling.ts <publicKeyHex> <responseFile>; prints "port <n>".
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [hex, file] = process.argv.slice(2);
const key = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex!, 'hex')]),
  format: 'der',
  type: 'spki',
});
const response = readFileSync(file!);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const ts = String(req.headers['x-signature-timestamp'] ?? '');
    const sig = String(req.headers['x-signature-ed25519'] ?? '');
    let ok = false;
    try {
      ok = verify(null, Buffer.concat([Buffer.from(ts), ...chunks]), key, Buffer.from(sig, 'hex'));
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(response);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
