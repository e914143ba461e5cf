import { describe, expect, it } from 'vitest';
import { storePerTest } from '../helpers/store.js';
import { commands } from '../../commands/index.js';
import type { CommandContext, Reply } from '../../commands/types.js';
import { catalog } from '../helpers/catalog.js';
import { commandContext } from '../helpers/context.js';

const tmp = storePerTest('whichgpu-cmd-');

const ctx = (moderator: boolean, user = moderator ? 'mod' : 'member'): CommandContext =>
  commandContext(tmp.store, moderator, user);

async function verdictFor(text: string, c = ctx(true)) {
  const r = await commands.compare.execute(c, { text });
  if (r.kind !== 'verdict') throw new Error(JSON.stringify(r));
  return r;
}
function expectKind<K extends Reply['kind']>(r: Reply, kind: K): Extract<Reply, { kind: K }> {
  expect(r.kind, JSON.stringify(r)).toBe(kind);
  return r as Extract<Reply, { kind: K }>;
}

describe('pin, verdicts, refresh, unpin', () => {
  it('a moderator pins; a later compare of the same question says so and links it', async () => {
    const v = await verdictFor('llama 3.3 70b');
    const pinned = expectKind(
      await commands.pin.execute(ctx(true), { channelId: 'c1', messageId: 'msg-1', verdict: v.verdict }),
      'pinned',
    );
    expect(pinned.pin).toMatchObject({ messageId: 'msg-1', pinnedBy: 'mod', stale: false });
    const again = await verdictFor('Llama-3.3-70B q4_k_m', ctx(false));
    expect(again.existingPin?.id).toBe(pinned.pin.id);
    const other = await verdictFor('llama 3.3 70b q8');
    expect(other.existingPin).toBeUndefined();
  });

  it('a member cannot pin, refresh, unpin or change settings, and nothing is stored', async () => {
    const v = await verdictFor('qwen2.5-coder:32b');
    expect(
      expectKind(
        await commands.pin.execute(ctx(false), { channelId: 'c1', messageId: 'm', verdict: v.verdict }),
        'error',
      ).error.code,
    ).toBe('FORBIDDEN');
    expect((await tmp.store.list('discord', 'g1')).total).toBe(0);
    const p = await tmp.store.pin({
      platform: 'discord',
      serverId: 'g1',
      channelId: 'c1',
      messageId: 'x',
      queryKey: v.queryKey,
      query: v.verdict.query as never,
      headline: 'h',
      winner: 'w',
      dataVersion: 'old',
      pinnedBy: 'mod',
    });
    for (const action of ['refresh', 'unpin'] as const) {
      expect(expectKind(await commands.pins.execute(ctx(false), { action, id: p.id }), 'error').error.code).toBe(
        'FORBIDDEN',
      );
    }
    expect(expectKind(await commands.settings.execute(ctx(false), { set: { hours: '12' } }), 'error').error.code).toBe(
      'FORBIDDEN',
    );
    expect(await tmp.store.get('discord', 'g1', p.id)).toMatchObject({ headline: 'h', unpinnedAt: null });
  });

  it('lists newest first with a stale mark when the data version changed, paginating past 10', async () => {
    const v = await verdictFor('llama 3.1 8b');
    for (let i = 0; i < 11; i++) {
      await tmp.store.pin(
        {
          platform: 'discord',
          serverId: 'g1',
          channelId: 'c1',
          messageId: `m${i}`,
          queryKey: `k${i}`,
          query: v.verdict.query as never,
          headline: `h${i}`,
          winner: 'rtx-5090',
          dataVersion: i === 10 ? catalog.dataVersion : 'old',
          pinnedBy: 'mod',
        },
        new Date(Date.UTC(2026, 0, 1, i)),
      );
    }
    const list = expectKind(await commands.pins.execute(ctx(false), { action: 'list', page: 1 }), 'pins');
    expect(list.page).toMatchObject({ total: 11, pages: 2 });
    expect(list.page.items[0]).toMatchObject({ headline: 'h10', stale: false });
    expect(list.page.items[1]).toMatchObject({ headline: 'h9', stale: true });
    expect(list.canModerate).toBe(false);
  });

  it("refresh recomputes with today's data and says what changed; unpin removes it from the list", async () => {
    const v = await verdictFor('llama 3.3 70b');
    const p = await tmp.store.pin({
      platform: 'discord',
      serverId: 'g1',
      channelId: 'c1',
      messageId: 'm',
      queryKey: v.queryKey,
      query: v.verdict.query as never,
      headline: 'old headline',
      winner: 'rtx-5090',
      dataVersion: 'old',
      pinnedBy: 'mod',
    });
    const r = expectKind(await commands.pins.execute(ctx(true), { action: 'refresh', id: p.id }), 'refreshed');
    expect(r.changes.join('\n')).toMatch(/winner: rtx-5090 → mac-studio-m4-max-128gb/);
    expect(r.pin).toMatchObject({ headline: v.verdict.verdict.headline, stale: false });
    expectKind(await commands.pins.execute(ctx(true), { action: 'unpin', id: p.id }), 'unpinned');
    expect(expectKind(await commands.pins.execute(ctx(true), { action: 'unpin', id: p.id }), 'error').error.code).toBe(
      'NOT_FOUND',
    );
    expect((await tmp.store.list('discord', 'g1')).total).toBe(0);
  });
});

describe('settings', () => {
  it('show, set (moderators), refuse out-of-range values with the range, and feed compare defaults', async () => {
    expect(expectKind(await commands.settings.execute(ctx(false), { set: {} }), 'settings').settings.kwh_price).toBe(
      0.16,
    );
    const saved = expectKind(
      await commands.settings.execute(ctx(true), {
        set: { kwh_price: '0.40', hours: '12', workflow: 'coding', moderator_role: '123456789012345678' },
      }),
      'settings',
    );
    expect(saved.settings).toMatchObject({
      kwh_price: 0.4,
      hours: 12,
      workflow: 'coding',
      moderator_role: '123456789012345678',
    });
    expect(
      expectKind(await commands.settings.execute(ctx(true), { set: { years: '40' } }), 'error').error.message,
    ).toMatch(/between 1 and 10/);
    expect(
      expectKind(await commands.settings.execute(ctx(true), { set: { colour: 'blue' } }), 'error').error.message,
    ).toMatch(/Unknown setting colour/);
    // Figures are in dollars: a currency symbol that changed nothing but the sign is refused, plainly.
    expect(
      expectKind(await commands.settings.execute(ctx(true), { set: { currency: '€' } }), 'error').error,
    ).toMatchObject({ message: expect.stringMatching(/US dollars/), hint: expect.stringMatching(/kwh_price/) });
    const v = await verdictFor('llama 3.1 8b');
    expect(v.verdict.query).toMatchObject({ kwhPrice: 0.4, hoursPerDay: 12, workflow: 'coding' });
    const typed = await verdictFor('llama 3.1 8b for chat at $0.10/kWh');
    expect(typed.verdict.query).toMatchObject({ kwhPrice: 0.1, workflow: 'chat' });
  });
});
