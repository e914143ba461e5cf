import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { discordError } from '../fakes/discord-api.js';
import { APP, CHANNEL, command, component, GUILD, MESSAGE, signBody } from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp();
const { keys, fake, post } = http;

describe('pinning', () => {
  async function pinButton(): Promise<string> {
    const first = await post(command('compare', { model: 'gemma 3 27b' }));
    return first.json.data.components[2].components[0].custom_id as string;
  }

  it('a member without Pin Messages is refused ephemerally and nothing is pinned', async () => {
    const id = await pinButton();
    const before = fake.requests.length;
    const r = await post(component(id, undefined, { moderator: false }));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toMatch(/Only moderators/);
    // The guild's roles may be read (a manager may pin anywhere); the pin route is never called.
    expect(fake.requests.slice(before).filter((x) => x.method !== 'GET' || !x.path.startsWith('/guilds/'))).toEqual([]);
  });

  it('a moderator pins through the current route with an audit-log reason, and the verdict is stored', async () => {
    const id = await pinButton();
    const r = await post(component(id, undefined, { moderator: true }));
    expect(r.json.data.content).toMatch(/Pinned as #\d+/);
    const call = await fake.waitFor(
      (x) => x.method === 'PUT' && x.path === `/channels/${CHANNEL}/messages/pins/${MESSAGE}`,
    );
    expect(decodeURIComponent(String(call.headers['x-audit-log-reason']))).toMatch(/whichgpu: pinned by mod/);
    expect(call.headers.authorization).toBe('Bot test-token');
    expect((await http.t.store.list('discord', GUILD)).items[0]).toMatchObject({
      messageId: MESSAGE,
      channelId: CHANNEL,
    });
    const list = await post(command('verdicts'));
    expect(list.json.data.embeds[0].title).toMatch(/Pinned verdicts \(1\)/);
  });

  it.each([
    [30003, /250 pins/],
    [50013, /lack Pin Messages/],
    [10008, /no longer exists/],
  ])('Discord error %d gets a clear answer', async (code, message) => {
    const id = await pinButton();
    fake.replyOnce('PUT', /\/messages\/pins\//, discordError(code, 'refused', code === 10008 ? 404 : 403));
    const r = await post(component(id, undefined, { moderator: true }));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toMatch(message);
  });

  it("without the bot's own Pin Messages permission it says so and does not call Discord", async () => {
    const id = await pinButton();
    const before = fake.requests.length;
    const r = await post(component(id, undefined, { moderator: true, appPermissions: '1024' }));
    expect(r.json.data.content).toMatch(/I need the \*\*Pin Messages\*\* permission/);
    expect(fake.requests.length).toBe(before);
  });
});

describe("slow pins: Discord's 3 s deadline includes the REST client's queue (L3)", () => {
  it(
    'three pins in one channel, each taking Discord 1.2 s: every click is answered within 3 s, the late ones by a follow-up',
    { timeout: 20_000 },
    async () => {
      const models = ['llama 3.1 8b', 'qwen3 32b', 'gemma 3 12b'];
      const buttons: string[] = [];
      for (const model of models)
        buttons.push(
          (await post(command('compare', { model }))).json.data.components[2].components[0].custom_id as string,
        );
      const undo = fake.delay('PUT', /\/messages\/pins\//, 1200);
      try {
        const clicks = buttons.map((b, n) =>
          component(b, undefined, { moderator: true, messageId: `33333333333333340${n}` }),
        );
        const answers = await Promise.all(
          clicks.map(async (click) => {
            const sent = performance.now();
            const r = await post(click);
            return { ...r, ms: performance.now() - sent, token: click.token };
          }),
        );
        // @discordjs/rest sends the pins of one channel one after another: the third ends at about 3.6 s.
        for (const a of answers) {
          expect(a.status).toBe(200);
          expect(a.ms).toBeLessThan(3000);
        }
        const deferred = answers.filter((a) => a.json.type === 5);
        expect(deferred.length).toBeGreaterThanOrEqual(1);
        for (const a of deferred) {
          expect(a.json.data.flags).toBe(64);
          const edit = await fake.waitFor(
            (r) => r.method === 'PATCH' && r.path === `/webhooks/${APP}/${a.token}/messages/@original`,
            10_000,
          );
          expect((edit.body as { content: string }).content).toMatch(/Pinned as #\d+/);
          expect(edit.headers.authorization).toBeUndefined();
        }
        for (const a of answers.filter((x) => x.json.type !== 5)) expect(a.json.data.content).toMatch(/Pinned as #\d+/);
        for (let n = 0; n < 3; n++)
          expect(
            (await http.t.store.list('discord', GUILD, 1)).items.some((p) => p.messageId === `33333333333333340${n}`),
          ).toBe(true);
      } finally {
        undo();
      }
    },
  );

  it(
    'a pin Discord does not answer: 2 s an attempt, one retry, then the follow-up says so',
    { timeout: 20_000 },
    async () => {
      const button = (await post(command('compare', { model: 'llama 3.2 3b' }))).json.data.components[2].components[0]
        .custom_id as string;
      const undo = fake.delay('PUT', /\/messages\/pins\//, 2500);
      try {
        const click = component(button, undefined, { moderator: true, messageId: '333333333333333500' });
        const r = await post(click);
        expect(r.json).toEqual({ type: 5, data: { flags: 64 } });
        const edit = await fake.waitFor(
          (x) => x.method === 'PATCH' && x.path === `/webhooks/${APP}/${click.token}/messages/@original`,
          10_000,
        );
        expect((edit.body as { content: string }).content).toMatch(/did not answer the pin request in time/);
        expect(fake.requests.filter((x) => x.method === 'PUT' && x.path.endsWith('/333333333333333500'))).toHaveLength(
          2,
        );
      } finally {
        undo();
      }
    },
  );
});

describe('shutdown with a deferred pin in flight', () => {
  it('stop() waits until the pin is stored and its answer edited', { timeout: 20_000 }, async () => {
    const own = await startTestApp({
      DISCORD_TRANSPORT: 'http',
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_TOKEN: 'test-token',
      DISCORD_API_URL: fake.url,
    });
    const send = async (payload: unknown) => {
      const body = JSON.stringify(payload);
      const res = await fetch(`http://127.0.0.1:${own.app.port}/discord/interactions`, {
        method: 'POST',
        body,
        headers: signBody(keys.privateKey, body),
      });
      return res.json() as Promise<{ type: number; data: { components: { components: { custom_id: string }[] }[] } }>;
    };
    const button = (await send(command('compare', { model: 'qwen3 14b' }))).data.components[2]!.components[0]!
      .custom_id;
    // Two pins in one channel, 1.5 s each: the second waits behind the first and is deferred.
    const undo = fake.delay('PUT', /\/messages\/pins\//, 1500);
    try {
      const clicks = ['333333333333333700', '333333333333333701'].map((messageId) =>
        component(button, undefined, { moderator: true, messageId }),
      );
      const answers = await Promise.all(clicks.map(send));
      const deferred = clicks.filter((_, n) => answers[n]!.type === 5);
      expect(deferred.length).toBeGreaterThanOrEqual(1);
      // SIGTERM lands while Discord is still pinning: the store write and the edit must not be cut.
      await own.app.stop();
      for (const click of deferred) {
        expect((await own.store.list('discord', GUILD, 1)).items.some((p) => p.messageId === click.message.id)).toBe(
          true,
        );
        expect(
          fake.requests.some(
            (r) => r.method === 'PATCH' && r.path === `/webhooks/${APP}/${click.token}/messages/@original`,
          ),
        ).toBe(true);
      }
    } finally {
      undo();
      await own.close();
    }
  });
});

describe('a pinned message keeps its buttons', () => {
  it('the pin stores the state id of the message it pins, so pruning old questions keeps it', async () => {
    const button = (await post(command('compare', { model: 'llama 3.1 8b', workflow: 'coding' }))).json.data
      .components[2].components[0].custom_id as string;
    const stateId = button.split(':')[1]!;
    const r = await post(component(button, undefined, { moderator: true, messageId: '333333333333333800' }));
    expect(r.json.data.content).toMatch(/Pinned as #\d+/);
    // Eight days on, every question nobody pinned is pruned; this one is still there.
    const later = new Date(Date.now() + 8 * 86_400_000);
    while ((await http.t.store.prune(later, 5000)) === 5000);
    expect(await http.t.store.loadQuery(stateId)).toBeDefined();
  });
});
