import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { boltLogger } from '../src/slack/app.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, log: createLogger('debug', stream) };
}

describe('logging', () => {
  it('redacts tokens, secrets and signatures wherever they appear', async () => {
    const { lines, log } = capture();
    log.info({ token: 'xoxb-secret', config: { DISCORD_TOKEN: 'abc.def', SLACK_SIGNING_SECRET: 's3cr3t' }, req: { headers: { authorization: 'Bot abc', 'x-signature-ed25519': 'deadbeef', 'x-slack-signature': 'v0=1' } } }, 'hello');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    for (const secret of ['xoxb-secret', 'abc.def', 's3cr3t', 'Bot abc', 'deadbeef', 'v0=1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('Bolt\'s own logs go through our pino logger', async () => {
    const { lines, log } = capture();
    boltLogger(log).warn('bolt says', 42);
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ component: 'bolt', msg: 'bolt says 42', level: 40 });
  });
});
