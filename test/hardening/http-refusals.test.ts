import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bothPlatformsEnv, startTestApp, type TestApp } from '../helpers/app.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { command, component, ping, signBody, testKeys } from '../discord/helpers.js';
import { slackSignedHeaders } from '../slack/helpers.js';
import { ReplayGuard } from '../../src/discord/signature.js';

const keys = testKeys();
const discordApi = new FakeDiscordApi();
const slackApi = new FakeSlackApi();
let t: TestApp;
let base: string;

beforeAll(async () => {
  await discordApi.start();
  await slackApi.start();
  // Tight limits on purpose: 3 requests of burst per user, and the default server burst.
  t = await startTestApp({
    ...bothPlatformsEnv({ discordApiUrl: discordApi.url, slackApiUrl: slackApi.url, publicKeyHex: keys.publicKeyHex }),
    RATE_LIMIT_USER_BURST: '3',
    RATE_LIMIT_USER_PER_MINUTE: '1',
    RATE_LIMIT_SERVER_BURST: '60',
  });
  base = `http://127.0.0.1:${t.app.port}`;
});
afterAll(async () => {
  await t.close();
  await discordApi.stop();
  await slackApi.stop();
});

const postDiscord = (body: string, headers: Record<string, string> = signBody(keys.privateKey, body)) =>
  fetch(`${base}/discord/interactions`, { method: 'POST', body, headers });
const slackHeaders = (body: string) => slackSignedHeaders('sec', body);

describe('HTTP refusals', () => {
  it('413 for a body over the limit, before reading it all', async () => {
    const big = JSON.stringify({ type: 1, pad: 'x'.repeat(300 * 1024) });
    const res = await postDiscord(big).catch((e: Error) => ({ status: 413, error: e }));
    expect(res.status).toBe(413);
  });

  it('415 for a signed body that is not JSON by content type', async () => {
    const body = JSON.stringify(ping());
    expect((await postDiscord(body, { ...signBody(keys.privateKey, body), 'content-type': 'text/plain' })).status).toBe(
      415,
    );
  });

  it('401 for a replayed request, even with a valid signature', async () => {
    const body = JSON.stringify(ping());
    const headers = signBody(keys.privateKey, body);
    expect((await postDiscord(body, headers)).status).toBe(200);
    expect((await postDiscord(body, headers)).status).toBe(401);
  });

  it('401 for a timestamp skewed into the future', async () => {
    const body = JSON.stringify(ping());
    expect(
      (await postDiscord(body, signBody(keys.privateKey, body, String(Math.floor(Date.now() / 1000) + 900)))).status,
    ).toBe(401);
  });

  it('404 for unknown routes and 405 for the wrong method', async () => {
    expect((await fetch(`${base}/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/discord/interactions`)).status).toBe(405);
  });

  it('a user over the limit gets an ephemeral cooldown, on Discord and on Slack', async () => {
    const answers: { content?: string; flags?: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify(command('help', {}, { moderator: false }));
      answers.push(((await (await postDiscord(body)).json()) as { data: { content?: string; flags?: number } }).data);
    }
    expect(answers.slice(0, 3).every((a) => !/Try again in/.test(a.content ?? ''))).toBe(true);
    expect(answers[3]).toMatchObject({ flags: 64, content: expect.stringMatching(/Try again in \d+ s/) });
    for (let i = 0; i < 5; i++) {
      const form = new URLSearchParams({
        command: '/whichgpu',
        text: 'help',
        team_id: 'T9',
        channel_id: 'C',
        user_id: 'USLOW',
        response_url: slackApi.responseUrl(`rl-${i}`),
      }).toString();
      expect(
        (await fetch(`${base}/slack/events`, { method: 'POST', body: form, headers: slackHeaders(form) })).status,
      ).toBe(200);
    }
    const last = await slackApi.waitFor((c) => c.method === '/response/rl-4');
    expect(last.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Try again in/) });
  });
});

describe('fuzz: signed random and malformed payloads', () => {
  it('every Discord payload gets a 2xx or 4xx and the server keeps answering', { timeout: 120_000 }, async () => {
    const payload = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 500 }),
      fc
        .record({
          type: fc.integer({ min: -2, max: 9 }),
          data: fc.anything(),
          member: fc.anything(),
          id: fc.string(),
          token: fc.string(),
        })
        .map((o) => JSON.stringify(o)),
      fc
        .constantFrom(
          command('compare', { model: 'x'.repeat(5000) }),
          component('quant:zzz', ['Q4_K_M']),
          component('pin:', undefined, { moderator: true }),
          component('page:-5', undefined),
          command('compare', { context: -1 }),
          command('settings', { hours: 'abc' }),
        )
        .map((o) => JSON.stringify(o)),
    );
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const res = await postDiscord(body);
        await res.arrayBuffer();
        statuses.push(res.status);
        return res.status >= 200 && res.status < 500;
      }),
      { numRuns: 1500 },
    );
    expect(statuses.length).toBe(1500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('every Slack form, signed or not, gets a 2xx or 4xx', { timeout: 120_000 }, async () => {
    const form = fc.dictionary(
      fc.constantFrom('command', 'text', 'payload', 'team_id', 'user_id', 'channel_id', 'response_url', 'junk'),
      fc.oneof(fc.string({ maxLength: 200 }), fc.json()),
    );
    const samples = fc.sample(fc.tuple(form, fc.boolean()), { numRuns: 800, seed: 42 });
    // Sent in parallel batches: Bolt answers a request no listener recognises after its 1 s timeout.
    for (let i = 0; i < samples.length; i += 50) {
      const statuses = await Promise.all(
        samples.slice(i, i + 50).map(async ([fields, signed]) => {
          const body = new URLSearchParams({
            ...fields,
            ...(fields.response_url !== undefined ? { response_url: slackApi.responseUrl('fuzz') } : {}),
          }).toString();
          const res = await fetch(`${base}/slack/events`, {
            method: 'POST',
            body,
            headers: signed ? slackHeaders(body) : { 'content-type': 'application/x-www-form-urlencoded' },
          });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      for (const st of statuses) expect(st >= 200 && st < 500, `status ${st}`).toBe(true);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('ReplayGuard', () => {
  const sig = (n: number) => n.toString(16).padStart(12, '0').padEnd(128, 'a');

  it('refuses a signature it has seen while the request could still be inside the skew window', () => {
    const g = new ReplayGuard(300);
    expect(g.admit(sig(1), 1000, 1000)).toBe('first');
    expect(g.admit(sig(2), 1000, 1000)).toBe('first');
    expect(g.admit(sig(1), 1000, 1001)).toBe('replay');
    // A request may be accepted until 300 s after its timestamp, and so may its replay.
    expect(g.admit(sig(1), 1000, 1300)).toBe('replay');
    expect(g.admit(sig(2), 1000, 1300)).toBe('replay');
  });

  it('under steady traffic, refuses every replay that could still pass the timestamp check', () => {
    const g = new ReplayGuard(300);
    // One request a second for 700 s, each timestamped 200 s in the future (the most skew allowed is 300).
    for (let t = 1000; t < 1700; t++) expect(g.admit(sig(t), t + 200, t)).toBe('first');
    for (let t = 1199; t < 1700; t++) expect(g.admit(sig(t), t + 200, 1699), `request of ${t}`).toBe('replay');
  });

  it('refuses a replay after 60,000 other requests inside the window', () => {
    const g = new ReplayGuard(300);
    expect(g.admit(sig(1), 1000, 1000)).toBe('first');
    for (let i = 0; i < 60_000; i++)
      expect(g.admit(sig(1_000_000 + i), 1000 + (i % 100), 1000 + i / 1000)).toBe('first');
    expect(g.admit(sig(1), 1000, 1200)).toBe('replay');
  });

  it('refuses a replay whose signature hex was re-cased', () => {
    const g = new ReplayGuard(300);
    const s = 'abcdef012345'.padEnd(128, 'c');
    expect(g.admit(s, 1000, 1000)).toBe('first');
    expect(g.admit(s.toUpperCase(), 1000, 1001)).toBe('replay');
  });

  it('refuses a timestamp outside the window, which the skew check refuses anyway', () => {
    const g = new ReplayGuard(300);
    expect(g.admit(sig(1), 1000, 1301)).toBe('outside-window');
    expect(g.admit(sig(2), 1000, 699)).toBe('outside-window');
    expect(g.size).toBe(0);
  });

  it('forgets signatures once no replay of them could pass the timestamp check', () => {
    const g = new ReplayGuard(300);
    for (let i = 0; i < 100; i++) g.admit(sig(i), 1000, 1000);
    g.admit(sig(1000), 1300, 1300);
    expect(g.size).toBe(101);
    // Buckets are dropped whole, within a bucket (10 s) past the window.
    g.admit(sig(1001), 1311, 1311);
    expect(g.size).toBe(2);
    expect(g.admit(sig(1000), 1300, 1311)).toBe('replay');
  });

  it('stays bounded under steady traffic: what it holds follows the rate, not the running total', () => {
    const g = new ReplayGuard(300);
    let most = 0;
    // 1,000 requests a second for 15 minutes, timestamped on arrival.
    for (let t = 0; t < 900_000; t++) {
      g.admit(sig(t), 1_000_000 + Math.floor(t / 1000), 1_000_000 + t / 1000);
      most = Math.max(most, g.size);
    }
    expect(most).toBeLessThanOrEqual(1000 * (300 + 2 * 10));
    expect(g.size).toBeLessThan(most);
    expect(g.bytes / g.size).toBeLessThan(24);
  });

  it('past its cap refuses new signatures as busy instead of forgetting old ones', () => {
    const g = new ReplayGuard(300, 1000);
    for (let i = 0; i < 1000; i++) expect(g.admit(sig(i), 1000, 1000)).toBe('first');
    expect(g.admit(sig(5000), 1000, 1001)).toBe('full');
    for (let i = 0; i < 1000; i += 37) expect(g.admit(sig(i), 1000, 1001)).toBe('replay');
    // Once those timestamps have left the window there is room again.
    expect(g.admit(sig(5000), 1400, 1400)).toBe('first');
  });
});
