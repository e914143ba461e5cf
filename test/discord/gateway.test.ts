import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './gateway-harness.js';
import { ALL_PERMS, APP, CHANNEL, command, component, GUILD, MANAGER_ROLE, MESSAGE, PLAIN_ROLE } from './helpers.js';

const gateway = gatewayPerFile('whichgpu-gateway-');
const { fake, deliver } = gateway;

describe('Discord gateway transport (discord.js Client)', () => {
  it('answers /compare through the interaction callback with the same embed the HTTP endpoint builds', async () => {
    const call = await deliver(command('compare', { model: 'llama 3.3 70b', workflow: 'chat' }));
    const body = call.body as {
      type: number;
      data: { embeds: { title: string }[]; components: unknown[]; flags?: number };
    };
    expect(body.type).toBe(4);
    expect(body.data.embeds[0]!.title).toBe('Llama 3.3 70B · Q4_K_M · 8k context · chat');
    expect(body.data.components).toHaveLength(3);
    expect(body.data.flags ?? 0).toBe(0);
  });

  it('answers bad input ephemerally', async () => {
    const call = await deliver(command('compare', { model: 'zzzz qqqq' }));
    const body = call.body as { data: { flags: number; content: string } };
    expect(body.data.flags & 64).toBe(64);
    expect(body.data.content).toMatch(/I don't know the model/);
  });

  it('autocomplete answers with choices', async () => {
    const call = await deliver(command('compare', { model: 'gemma' }, { focused: 'model' }));
    const body = call.body as { type: number; data: { choices: { value: string }[] } };
    expect(body.type).toBe(8);
    expect(body.data.choices.map((c) => c.value)).toContain('gemma3:27b');
  });

  it("a moderator's Pin click pins through REST and stores the verdict; a member's is refused without a call", async () => {
    const first = await deliver(command('compare', { model: 'phi-4' }));
    const pinId = (first.body as { data: { components: { components: { custom_id: string }[] }[] } }).data
      .components[2]!.components[0]!.custom_id;
    const before = fake.requests.filter((r) => r.path.includes('/pins/')).length;
    const refused = await deliver(component(pinId, undefined, { moderator: false }));
    expect((refused.body as { data: { content: string } }).data.content).toMatch(/Only moderators/);
    expect(fake.requests.filter((r) => r.path.includes('/pins/')).length).toBe(before);
    const ok = await deliver(component(pinId, undefined, { moderator: true }));
    expect((ok.body as { data: { content: string } }).data.content).toMatch(/Pinned as #/);
    await fake.waitFor((r) => r.method === 'PUT' && r.path === `/channels/${CHANNEL}/messages/pins/${MESSAGE}`);
    expect((await gateway.store.list('discord', GUILD)).total).toBe(1);
  });

  it(
    'a pin queued behind a slow one is deferred (callback type 5, ephemeral) and its outcome edits the deferred answer',
    { timeout: 20_000 },
    async () => {
      const buttons: string[] = [];
      for (const model of ['mistral small 3', 'llama 3.2 3b']) {
        const first = await deliver(command('compare', { model }));
        buttons.push(
          (first.body as { data: { components: { components: { custom_id: string }[] }[] } }).data.components[2]!
            .components[0]!.custom_id,
        );
      }
      const undo = fake.delay('PUT', /\/messages\/pins\//, 1500);
      try {
        // One channel, so the REST client sends the second pin after the first: it ends at about 3 s.
        const clicks = buttons.map((b, n) =>
          component(b, undefined, { moderator: true, messageId: `33333333333333360${n}` }),
        );
        const [, second] = await Promise.all(clicks.map((c) => deliver(c)));
        expect(second!.body).toMatchObject({ type: 5, data: { flags: 64 } });
        const edit = await fake.waitFor(
          (r) =>
            r.method === 'PATCH' &&
            decodeURIComponent(r.path) === `/webhooks/${APP}/${clicks[1]!.token}/messages/@original`,
          10_000,
        );
        expect((edit.body as { content: string }).content).toMatch(/Pinned as #\d+/);
      } finally {
        undo();
      }
    },
  );

  it('keeps no cache of the users its interactions carried: 2,000 distinct users leave the users cache empty', async () => {
    for (let n = 0; n < 2000; n++) {
      const user = String(700000000000000000n + BigInt(n));
      // A user context-menu command: discord.js builds (and caches) the same User objects as for a
      // slash command, and the bot does not answer it, so no REST call is needed per user.
      const payload = command('help', {}, { user });
      const data = {
        id: String(800000000000000000n + BigInt(n)),
        name: 'Inspect',
        type: 2,
        target_id: user,
        resolved: { users: { [user]: payload.member.user } },
      };
      (
        gateway.client as unknown as { actions: { InteractionCreate: { handle(d: unknown): void } } }
      ).actions.InteractionCreate.handle({ ...payload, data });
    }
    // Without limits discord.js keeps all 2,000 (and every one after them) for the life of the process.
    expect(gateway.client.users.cache.size).toBeLessThanOrEqual(1);
  });

  it("settings take Manage Server from the guild's roles, read through the pins' REST client, not from the channel's bits (M3)", async () => {
    const refused = await deliver(command('settings', { hours: 11 }, { permissions: ALL_PERMS, roles: [PLAIN_ROLE] }));
    expect((refused.body as { data: { content: string } }).data.content).toMatch(
      /^Only server managers can change settings\./,
    );
    expect((await gateway.store.settings('discord', GUILD)).hours).not.toBe(11);
    const saved = await deliver(command('settings', { hours: 11 }, { roles: [MANAGER_ROLE] }));
    expect((saved.body as { data: { content: string } }).data.content).toMatch(/Saved hours/);
    expect((await gateway.store.settings('discord', GUILD)).hours).toBe(11);
    const read = fake.requests.find((r) => r.method === 'GET' && r.path === `/guilds/${GUILD}`);
    expect(read?.headers.authorization).toBe('Bot test-token');
  });

  it('a select updates the message (callback type 7)', async () => {
    const first = await deliver(command('compare', { model: 'qwen3 32b' }));
    const quantId = (first.body as { data: { components: { components: { custom_id: string }[] }[] } }).data
      .components[0]!.components[0]!.custom_id;
    const call = await deliver(component(quantId, ['Q8_0']));
    expect((call.body as { type: number }).type).toBe(7);
  });
});
