import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../../src/render/discord.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { discordError, FakeDiscordApi } from '../fakes/discord-api.js';
import {
  ADMIN_ROLE,
  ALL_PERMS,
  APP,
  CHANNEL,
  command,
  component,
  GUILD,
  MANAGER_PERMS,
  MANAGER_ROLE,
  MESSAGE,
  OWNER,
  ping,
  PLAIN_ROLE,
  serveGuild,
  signBody,
  testKeys,
} from './helpers.js';

const keys = testKeys();
const fake = new FakeDiscordApi();
let t: TestApp;

beforeAll(async () => {
  await fake.start();
  serveGuild(fake);
  t = await startTestApp({
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: keys.publicKeyHex,
    DISCORD_TOKEN: 'test-token',
    DISCORD_API_URL: fake.url,
  });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

async function post(payload: unknown, headers?: Record<string, string>) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const res = await fetch(`http://127.0.0.1:${t.app.port}/discord/interactions`, {
    method: 'POST',
    body,
    headers: headers ?? signBody(keys.privateKey, body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('POST /discord/interactions', () => {
  it('answers PING with PONG', async () => {
    expect(await post(ping())).toEqual({ status: 200, json: { type: 1 } });
  });

  it('refuses a bad signature, a missing one, a stale timestamp and another key with 401', async () => {
    const body = JSON.stringify(ping());
    const good = signBody(keys.privateKey, body);
    expect((await post(body, { ...good, 'x-signature-ed25519': '00'.repeat(64) })).status).toBe(401);
    expect((await post(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(body, { ...good, 'x-signature-ed25519': 'zz' })).status).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(body, signBody(keys.privateKey, body, old))).status).toBe(401);
    expect((await post(body, signBody(testKeys().privateKey, body))).status).toBe(401);
    // The signature covers the exact bytes: a re-serialised body fails.
    expect((await post(`${body} `, good)).status).toBe(401);
  });

  it('answers signed garbage with 400, never 500', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ hello: 'world' })).status).toBe(400);
  });

  it('answers a signed interaction with malformed fields with 400 and a plain error, never 500', async () => {
    const withMember = (member: Record<string, unknown>) => {
      const c = command('help');
      return { ...c, member: { ...c.member, ...member } };
    };
    const malformed = [
      withMember({ permissions: 'not-a-number' }),
      withMember({ permissions: 12 }),
      withMember({ roles: 'everyone' }),
      { ...command('help'), app_permissions: '-1' },
      { ...command('help'), data: { name: 'help', options: 'x' } },
      { ...command('help'), data: null },
      { ...component('page:2', undefined), message: null },
      { ...command('help'), token: 7 },
    ];
    for (const payload of malformed) {
      const r = await post(payload);
      expect(r.status, JSON.stringify(payload).slice(0, 300)).toBe(400);
      expect(r.json).toEqual({ error: expect.any(String) });
    }
  });

  it('/compare answers in the initial response with a public embed, selects and buttons', async () => {
    const { status, json } = await post(command('compare', { model: 'qwen2.5-coder:32b', workflow: 'coding' }));
    expect(status).toBe(200);
    expect(json.type).toBe(4);
    expect(json.data.flags).toBeUndefined();
    const embed = json.data.embeds[0];
    expect(embed.title).toBe('Qwen2.5-Coder 32B · Q4_K_M · 32k context · coding');
    expect(embed.description).toMatch(/RTX 5090/);
    expect(embed.color).toBe(0x76b900);
    const ids = json.data.components.flatMap((r: { components: { custom_id: string }[] }) =>
      r.components.map((c) => c.custom_id),
    );
    expect(ids.map((id: string) => id.split(':')[0])).toEqual(['quant', 'ctx', 'pin', 'src']);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
  });

  it('bad input gets a short ephemeral answer that says what to type', async () => {
    const { json } = await post(command('compare', { model: 'qwen2.5-codr-32b' }));
    expect(json.type).toBe(4);
    expect(json.data.flags).toBe(64);
    expect(json.data.content).toMatch(/Did you mean Qwen2\.5-Coder 32B\? Try model:qwen2\.5-coder:32b/);
    const range = await post(command('compare', { model: 'llama-3.1-8b', hours: 30 }));
    expect(range.json.data.content).toMatch(/between 0\.1 and 24/);
  });

  it('autocomplete serves at most 25 choices from memory, what was typed first', async () => {
    const { json } = await post(command('compare', { model: 'qwen' }, { focused: 'model' }));
    expect(json.type).toBe(8);
    expect(json.data.choices.length).toBeGreaterThan(3);
    expect(json.data.choices.length).toBeLessThanOrEqual(25);
    expect(json.data.choices[0]).toEqual({ name: 'qwen', value: 'qwen' });
    const all = await post(command('compare', { model: '' }, { focused: 'model' }));
    expect(all.json.data.choices).toHaveLength(25);
  });

  it('the quant and context selects update the message in place', async () => {
    const first = await post(command('compare', { model: 'llama 3.3 70b' }));
    const quantId = first.json.data.components[0].components[0].custom_id as string;
    const ctxId = first.json.data.components[1].components[0].custom_id as string;
    const q = await post(component(quantId, ['Q2_K']));
    expect(q.json.type).toBe(7);
    expect(q.json.data.embeds[0].title).toMatch(/Q2_K/);
    const c = await post(component(ctxId, ['65536']));
    expect(c.json.type).toBe(7);
    expect(c.json.data.embeds[0].title).toMatch(/64k context/);
  });

  it('Sources answers ephemerally', async () => {
    const first = await post(command('compare', { model: 'llama-3.1-8b' }));
    const src = first.json.data.components[2].components[1].custom_id as string;
    const r = await post(component(src, undefined));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.embeds[0].title).toBe('Sources');
  });
});

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
    expect(t.store.list('discord', GUILD).items[0]).toMatchObject({ messageId: MESSAGE, channelId: CHANNEL });
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

describe("who may moderate: an interaction's permissions are its channel's (M3)", () => {
  const OTHER_CHANNEL = '888888888888888888';
  const settingsCall = (set: Record<string, string | number>, from: Parameters<typeof command>[2]) =>
    post(command('settings', set, from));

  it('Pin Messages in one channel does not change /settings or the moderator role; Manage Server does', async () => {
    const before = t.store.settings('discord', GUILD);
    const refused = await settingsCall({ moderator_role: GUILD, hours: 20 }, { moderator: true });
    expect(refused.json.data.content).toMatch(/Only server managers can change settings/);
    expect(t.store.settings('discord', GUILD)).toEqual(before);
    const saved = await settingsCall({ hours: 20 }, { permissions: MANAGER_PERMS, roles: [MANAGER_ROLE] });
    expect(saved.json.data.content).toMatch(/Saved hours/);
    expect(t.store.settings('discord', GUILD).hours).toBe(20);
  });

  it('Pin Messages pins and unpins in its own channel, but cannot unpin or refresh a pin made in another', async () => {
    const first = await post(command('compare', { model: 'mistral small 3' }));
    const pinId = first.json.data.components[2].components[0].custom_id as string;
    const pinned = await post(component(pinId, undefined, { moderator: true, messageId: '333333333333333399' }));
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content)![1]);
    expect(t.store.get('discord', GUILD, id)).toMatchObject({ channelId: CHANNEL, unpinnedAt: null });
    // A member who holds Pin Messages only in another channel (a channel overwrite).
    for (const action of ['unpin', 'refresh']) {
      const r = await post(component(`${action}:${id}`, undefined, { moderator: true, channel: OTHER_CHANNEL }));
      expect(r.json.data.flags).toBe(64);
      expect(r.json.data.content).toMatch(
        new RegExp(`Only moderators can ${action} verdicts pinned in another channel`),
      );
    }
    expect(t.store.get('discord', GUILD, id)?.unpinnedAt).toBeNull();
    // In the pin's own channel the same permission unpins.
    const own = await post(component(`unpin:${id}`, undefined, { moderator: true }));
    expect(own.json.data.content).toMatch(new RegExp(`Unpinned #${id}`));
  });

  it('Manage Server unpins a pin made in any channel', async () => {
    const first = await post(command('compare', { model: 'phi-4' }));
    const pinId = first.json.data.components[2].components[0].custom_id as string;
    const pinned = await post(component(pinId, undefined, { moderator: true, messageId: '333333333333333398' }));
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content)![1]);
    const r = await post(
      component(`unpin:${id}`, undefined, {
        permissions: MANAGER_PERMS,
        roles: [MANAGER_ROLE],
        channel: OTHER_CHANNEL,
      }),
    );
    expect(r.json.data.content).toMatch(new RegExp(`Unpinned #${id}`));
  });
});

describe("server-wide powers come from the guild's roles, not the channel's bits (M3)", () => {
  const OTHER_CHANNEL = '888888888888888888';
  const guildReads = (guild: string) =>
    fake.requests.filter((r) => r.method === 'GET' && r.path === `/guilds/${guild}`).length;
  const REFUSED =
    'Only server managers can change settings.\nAsk someone with the Manage Server permission or the moderator role.';
  const UNCHECKED = "I couldn't check your server permissions with Discord; try again in a minute.";

  it("Manage Server or Administrator in a channel's bits alone (an overwrite can put them there) changes nothing server-wide", async () => {
    const before = t.store.settings('discord', GUILD);
    for (const permissions of [MANAGER_PERMS, ALL_PERMS]) {
      const r = await post(
        command(
          'settings',
          { moderator_role: GUILD },
          { permissions, roles: [PLAIN_ROLE], user: '161616161616161616' },
        ),
      );
      expect(r.json.data.flags).toBe(64);
      expect(r.json.data.content).toBe(REFUSED);
    }
    expect(t.store.settings('discord', GUILD)).toEqual(before);
    // Nor does it reach a pin made in another channel.
    const first = await post(command('compare', { model: 'qwen3 8b' }));
    const pinned = await post(
      component(first.json.data.components[2].components[0].custom_id, undefined, {
        moderator: true,
        messageId: '333333333333333397',
      }),
    );
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content)![1]);
    // Administrator by an overwrite of OTHER_CHANNEL: every bit there, Pin Messages included.
    const r = await post(
      component(`unpin:${id}`, undefined, {
        permissions: ALL_PERMS,
        roles: [PLAIN_ROLE],
        channel: OTHER_CHANNEL,
        user: '161616161616161616',
      }),
    );
    expect(r.json.data.content).toBe(
      `Only moderators can unpin verdicts pinned in another channel.\nPin Messages counts in the channel the verdict was pinned in: do it from there, or ask someone with Manage Server or the moderator role.`,
    );
    expect(t.store.get('discord', GUILD, id)?.unpinnedAt).toBeNull();
  });

  it("a role with Manage Server or Administrator changes settings, whatever the channel's bits say", async () => {
    const manager = await post(command('settings', { hours: 14 }, { roles: [PLAIN_ROLE, MANAGER_ROLE] }));
    expect(manager.json.data.content).toMatch(/Saved hours/);
    const admin = await post(command('settings', { years: 4 }, { roles: [ADMIN_ROLE] }));
    expect(admin.json.data.content).toMatch(/Saved years/);
    expect(t.store.settings('discord', GUILD)).toMatchObject({ hours: 14, years: 4 });
  });

  it("the guild's owner changes settings without any role", async () => {
    const r = await post(command('settings', { hours: 15 }, { permissions: ALL_PERMS, user: OWNER }));
    expect(r.json.data.content).toMatch(/Saved hours/);
    expect(t.store.settings('discord', GUILD).hours).toBe(15);
  });

  it('the configured moderator role changes settings without a call to Discord', async () => {
    // A guild the fake does not serve: reading it would fail.
    const guild = '171717171717171717';
    const modRole = '181818181818181818';
    t.store.saveSettings('discord', guild, { ...t.store.settings('discord', guild), moderator_role: modRole }, OWNER);
    const r = await post(command('settings', { hours: 9 }, { guild, roles: [modRole] }));
    expect(r.json.data.content).toMatch(/Saved hours/);
    expect(t.store.settings('discord', guild).hours).toBe(9);
    expect(guildReads(guild)).toBe(0);
  });

  it('a guild Discord fails to return (500) refuses plainly, and nothing changes', async () => {
    const guild = '191919191919191919';
    fake.guilds.set(guild, { status: 500, body: { message: '500: Internal Server Error', code: 0 } });
    const r = await post(command('settings', { hours: 3 }, { guild, roles: [MANAGER_ROLE] }));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toBe(UNCHECKED);
    expect(t.store.settings('discord', guild).hours).not.toBe(3);
    expect(guildReads(guild)).toBeGreaterThanOrEqual(1);
  });

  it(
    "a guild Discord does not return within 2 s refuses plainly, inside Discord's 3 s",
    { timeout: 20_000 },
    async () => {
      const guild = '202020202020202020';
      serveGuild(fake, guild);
      const undo = fake.delay('GET', new RegExp(`^/guilds/${guild}$`), 5000);
      try {
        const sent = performance.now();
        const r = await post(command('settings', { hours: 3 }, { guild, roles: [MANAGER_ROLE] }));
        expect(performance.now() - sent).toBeLessThan(3000);
        expect(r.json.data.content).toBe(UNCHECKED);
        expect(t.store.settings('discord', guild).hours).not.toBe(3);
      } finally {
        undo();
      }
    },
  );

  it('several settings changes within a minute read the guild once', async () => {
    const guild = '212121212121212121';
    serveGuild(fake, guild);
    for (const hours of [5, 6, 7]) {
      const r = await post(command('settings', { hours }, { guild, roles: [MANAGER_ROLE] }));
      expect(r.json.data.content).toMatch(/Saved hours/);
    }
    expect(t.store.settings('discord', guild).hours).toBe(7);
    expect(guildReads(guild)).toBe(1);
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
          expect(t.store.list('discord', GUILD, 1).items.some((p) => p.messageId === `33333333333333340${n}`)).toBe(
            true,
          );
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

describe('GET /healthz', () => {
  it('is 200 when ready', async () => {
    const res = await fetch(`http://127.0.0.1:${t.app.port}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('the HTTP boundary', () => {
  it('an image /compare against a device without image figures is answered, not dropped', async () => {
    const { status, json } = await post(command('compare', { workflow: 'image', against: 'ryzen-ai-max-395-128gb' }));
    expect(status).toBe(200);
    expect(json.type).toBe(4);
    expect(json.data.embeds[0].title).toMatch(/Image generation/);
  });
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
        expect(own.store.list('discord', GUILD, 1).items.some((p) => p.messageId === click.message.id)).toBe(true);
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
    while (t.store.prune(later, 5000) === 5000);
    expect(t.store.loadQuery(stateId)).toBeDefined();
  });
});
