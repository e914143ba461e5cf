import { DiscordAPIError } from '@discordjs/rest';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../src/slack/app.js';
import { captureLog } from './helpers/log.js';

describe('logging', () => {
  it('redacts tokens, secrets and signatures wherever they appear', async () => {
    const { lines, log } = captureLog();
    log.info(
      {
        token: 'xoxb-secret',
        config: { DISCORD_TOKEN: 'abc.def', SLACK_SIGNING_SECRET: 's3cr3t' },
        req: { headers: { authorization: 'Bot abc', 'x-signature-ed25519': 'deadbeef', 'x-slack-signature': 'v0=1' } },
      },
      'hello',
    );
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    for (const secret of ['xoxb-secret', 'abc.def', 's3cr3t', 'Bot abc', 'deadbeef', 'v0=1'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it("redacts tokens inside URLs and strings: a failed callback's err.url, webhook URLs, Slack response_url, tokens in text", async () => {
    const { lines, log } = captureLog();
    const interactionToken = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdoaWprbG1ub3A';
    const callback = `https://discord.com/api/v10/interactions/1300000000000000001/${interactionToken}/callback`;
    // The error discord.js's REST client throws for a failed interaction callback: the URL is a field.
    const err = new DiscordAPIError({ code: 10062, message: 'Unknown interaction' }, 10062, 404, 'POST', callback, {
      body: { type: 4 },
    });
    const slackSecret = 'AbCdEfGhIjKlMnOpQrStUvWx';
    // An HTTP client's error for a failed respond(): the request's URL and headers are fields.
    const slackErr = Object.assign(new Error('respond failed'), {
      config: {
        url: `https://hooks.slack.com/actions/T0001/123456789/${slackSecret}`,
        headers: { Authorization: 'Bearer xoxb-1234-5678-abcdefSECRET' },
      },
    });
    const botToken = 'MTMwMDAwMDAwMDAwMDAwMDAwMQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789';
    log.child({ interaction: '1' }).error({ err }, 'interaction failed');
    log.error({ err: new Error('wrapped', { cause: slackErr }), slack: slackErr }, 'slack respond failed');
    log.warn(
      { url: `https://discord.com/api/v10/webhooks/1300000000000000002/${interactionToken}/messages/@original` },
      `edit failed with ${botToken}`,
    );
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    for (const secret of [interactionToken, slackSecret, 'abcdefSECRET', botToken]) expect(text).not.toContain(secret);
    // What is left still says what failed.
    expect(lines[0]).toMatchObject({
      err: {
        url: 'https://discord.com/api/v10/interactions/1300000000000000001/[redacted]/callback',
        status: 404,
        code: 10062,
      },
    });
    expect(text).toContain('hooks.slack.com/[redacted]');
    expect(text).toContain('xoxb-[redacted]');
  });

  it("Bolt's own logs go through our pino logger", async () => {
    const { lines, log } = captureLog();
    boltLogger(log).warn('bolt says', 42);
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ component: 'bolt', msg: 'bolt says 42', level: 40 });
  });
});
