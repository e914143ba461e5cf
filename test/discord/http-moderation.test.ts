import { describe, expect, it } from 'vitest';
import {
  ADMIN_ROLE,
  ALL_PERMS,
  CHANNEL,
  command,
  component,
  GUILD,
  MANAGER_PERMS,
  MANAGER_ROLE,
  OWNER,
  PLAIN_ROLE,
  serveGuild,
} from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp();
const { fake, post } = http;

describe("who may moderate: an interaction's permissions are its channel's (M3)", () => {
  const OTHER_CHANNEL = '888888888888888888';
  const settingsCall = (set: Record<string, string | number>, from: Parameters<typeof command>[2]) =>
    post(command('settings', set, from));

  it('Pin Messages in one channel does not change /settings or the moderator role; Manage Server does', async () => {
    const before = await http.t.store.settings('discord', GUILD);
    const refused = await settingsCall({ moderator_role: GUILD, hours: 20 }, { moderator: true });
    expect(refused.json.data.content).toMatch(/Only server managers can change settings/);
    expect(await http.t.store.settings('discord', GUILD)).toEqual(before);
    const saved = await settingsCall({ hours: 20 }, { permissions: MANAGER_PERMS, roles: [MANAGER_ROLE] });
    expect(saved.json.data.content).toMatch(/Saved hours/);
    expect((await http.t.store.settings('discord', GUILD)).hours).toBe(20);
  });

  it('Pin Messages pins and unpins in its own channel, but cannot unpin or refresh a pin made in another', async () => {
    const first = await post(command('compare', { model: 'mistral small 3' }));
    const pinId = first.json.data.components[2].components[0].custom_id as string;
    const pinned = await post(component(pinId, undefined, { moderator: true, messageId: '333333333333333399' }));
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content)![1]);
    expect(await http.t.store.get('discord', GUILD, id)).toMatchObject({ channelId: CHANNEL, unpinnedAt: null });
    // A member who holds Pin Messages only in another channel (a channel overwrite).
    for (const action of ['unpin', 'refresh']) {
      const r = await post(component(`${action}:${id}`, undefined, { moderator: true, channel: OTHER_CHANNEL }));
      expect(r.json.data.flags).toBe(64);
      expect(r.json.data.content).toMatch(
        new RegExp(`Only moderators can ${action} verdicts pinned in another channel`),
      );
    }
    expect((await http.t.store.get('discord', GUILD, id))?.unpinnedAt).toBeNull();
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
    const before = await http.t.store.settings('discord', GUILD);
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
    expect(await http.t.store.settings('discord', GUILD)).toEqual(before);
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
    expect((await http.t.store.get('discord', GUILD, id))?.unpinnedAt).toBeNull();
  });

  it("a role with Manage Server or Administrator changes settings, whatever the channel's bits say", async () => {
    const manager = await post(command('settings', { hours: 14 }, { roles: [PLAIN_ROLE, MANAGER_ROLE] }));
    expect(manager.json.data.content).toMatch(/Saved hours/);
    const admin = await post(command('settings', { years: 4 }, { roles: [ADMIN_ROLE] }));
    expect(admin.json.data.content).toMatch(/Saved years/);
    expect(await http.t.store.settings('discord', GUILD)).toMatchObject({ hours: 14, years: 4 });
  });

  it("the guild's owner changes settings without any role", async () => {
    const r = await post(command('settings', { hours: 15 }, { permissions: ALL_PERMS, user: OWNER }));
    expect(r.json.data.content).toMatch(/Saved hours/);
    expect((await http.t.store.settings('discord', GUILD)).hours).toBe(15);
  });

  it('the configured moderator role changes settings without a call to Discord', async () => {
    // A guild the fake does not serve: reading it would fail.
    const guild = '171717171717171717';
    const modRole = '181818181818181818';
    await http.t.store.saveSettings(
      'discord',
      guild,
      { ...(await http.t.store.settings('discord', guild)), moderator_role: modRole },
      OWNER,
    );
    const r = await post(command('settings', { hours: 9 }, { guild, roles: [modRole] }));
    expect(r.json.data.content).toMatch(/Saved hours/);
    expect((await http.t.store.settings('discord', guild)).hours).toBe(9);
    expect(guildReads(guild)).toBe(0);
  });

  it('a guild Discord fails to return (500) refuses plainly, and nothing changes', async () => {
    const guild = '191919191919191919';
    fake.guilds.set(guild, { status: 500, body: { message: '500: Internal Server Error', code: 0 } });
    const r = await post(command('settings', { hours: 3 }, { guild, roles: [MANAGER_ROLE] }));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toBe(UNCHECKED);
    expect((await http.t.store.settings('discord', guild)).hours).not.toBe(3);
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
        expect((await http.t.store.settings('discord', guild)).hours).not.toBe(3);
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
    expect((await http.t.store.settings('discord', guild)).hours).toBe(7);
    expect(guildReads(guild)).toBe(1);
  });
});
