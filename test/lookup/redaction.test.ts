import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../src/log.js';

describe('HF_TOKEN never reaches a log line', () => {
  it('is redacted as a field, in a header and inside text', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = createLogger('info', sink);
    const token = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    log.info({ HF_TOKEN: token, config: { HF_TOKEN: token }, headers: { authorization: `Bearer ${token}` } }, 'config');
    log.error({ err: new Error(`GET failed with Authorization: Bearer ${token}`) }, `lookup failed for ${token}`);
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    expect(text).not.toContain('AbCdEfGh');
    expect(text).toContain('hf_[redacted]');
    expect(redactSecrets(`token=${token}&x=1`)).toBe('token=hf_[redacted]&x=1');
  });
});
