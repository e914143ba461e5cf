import { describe, expect, it } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { compare } from '../../src/core/verdict/compare.js';
import { DISCORD_LIMITS, fitEmbed, pinsMessage, verdictMessage } from '../../src/render/discord.js';
import { catalog, everyVerdictFor } from '../helpers/catalog.js';

const QUANTS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16', 'IQ4_XS', 'Q3_K_M', 'Q2_K', 'MXFP4', 'MLX-4bit', 'MLX-8bit'];

function embedTotal(e: APIEmbed) {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

function checkMessage(data: ReturnType<typeof verdictMessage>) {
  const embeds = data.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(10);
  let total = 0;
  for (const e of embeds) {
    expect((e.title ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect((e.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect((e.footer?.text ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
    expect((e.fields ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
    total += embedTotal(e);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  const rows = data.components ?? [];
  expect(rows.length).toBeLessThanOrEqual(DISCORD_LIMITS.rows);
  const ids = new Set<string>();
  for (const row of rows) {
    const comps = (row as { components: { custom_id?: string; options?: unknown[]; label?: string }[] }).components;
    expect(comps.length).toBeLessThanOrEqual(5);
    for (const c of comps) {
      if (c.custom_id) {
        expect(c.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
        expect(ids.has(c.custom_id)).toBe(false);
        ids.add(c.custom_id);
      }
      if (c.options) expect(c.options.length).toBeLessThanOrEqual(DISCORD_LIMITS.selectOptions);
      if (c.label) expect(c.label.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
    }
  }
}

describe('every embed the bot can produce stays within Discord limits', () => {
  it.each(catalog.models.map((m) => m.id))('%s, every workflow and against every device', (id) => {
    let n = 0;
    for (const v of everyVerdictFor(id)) {
      checkMessage(
        verdictMessage(v, { stateId: 'abcdef012345', quants: QUANTS, notes: ['read "30 cents" as $0.30/kWh'] }),
      );
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it('the overview (no model) and media-only verdicts', () => {
    for (const input of [{}, { workflow: 'image' }, { workflow: 'video' }]) {
      const r = compare(catalog, input);
      if (!r.ok) throw new Error(r.error.message);
      checkMessage(verdictMessage(r.value, { stateId: 'abcdef012345', quants: QUANTS }));
    }
  });

  it('fitEmbed cuts an oversized embed down to every limit', () => {
    const huge = fitEmbed({
      title: 'x'.repeat(400),
      description: 'y'.repeat(5000),
      fields: Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`.repeat(100), value: 'z'.repeat(2000) })),
      footer: { text: 'f'.repeat(3000) },
    });
    checkMessage({ embeds: [huge] });
  });

  it('a full page of pins with moderator buttons fits', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({
      id: 1000 + i,
      platform: 'discord' as const,
      serverId: '1',
      channelId: '2',
      messageId: '3',
      queryKey: 'k',
      query: {},
      headline: 'h'.repeat(300),
      winner: 'tie',
      dataVersion: 'v',
      pinnedBy: '4',
      pinnedAt: '2026-11-23T00:00:00.000Z',
      refreshedAt: null,
      unpinnedBy: null,
      unpinnedAt: null,
      stale: i % 2 === 0,
    }));
    checkMessage(pinsMessage({ items, page: 2, pages: 3, total: 25 }, true));
  });
});
