import { describe, expect, it } from 'vitest';
import { compare } from '../../src/core/verdict/compare.js';
import { pinsBlocks, SLACK_LIMITS, verdictBlocks, type SlackMessage } from '../../src/render/slack.js';
import { catalog, everyVerdictFor } from '../helpers/catalog.js';

const QUANTS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16', 'IQ4_XS', 'Q3_K_M', 'Q2_K', 'MXFP4', 'MLX-4bit', 'MLX-8bit'];

function texts(o: unknown, out: { text: string; kind: string }[] = []) {
  if (Array.isArray(o)) o.forEach((x) => texts(x, out));
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if ((r.type === 'mrkdwn' || r.type === 'plain_text') && typeof r.text === 'string')
      out.push({ text: r.text, kind: r.type });
    for (const v of Object.values(r)) texts(v, out);
  }
  return out;
}

function check(m: SlackMessage) {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of m.blocks) {
    if (b.type === 'header') expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    if (b.type === 'section') {
      if (b.text) expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      const fields = (b.fields ?? []) as { text: string }[];
      expect(fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (b.type === 'context')
      expect((b.elements as unknown[]).length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
    if (b.type === 'actions') {
      const els = b.elements as {
        type: string;
        action_id: string;
        text?: { text: string };
        value?: string;
        options?: { text: { text: string }; value: string }[];
      }[];
      expect(els.length).toBeLessThanOrEqual(25);
      expect(new Set(els.map((e) => e.action_id)).size).toBe(els.length);
      for (const e of els) {
        expect(e.action_id.length).toBeLessThanOrEqual(SLACK_LIMITS.id);
        if (e.type === 'button') expect(e.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        if (e.value) expect(e.value.length).toBeLessThanOrEqual(2000);
        for (const o of e.options ?? []) {
          expect(o.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
          expect(o.value.length).toBeLessThanOrEqual(SLACK_LIMITS.optionValue);
        }
        expect((e.options ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.options);
      }
    }
    if (typeof b.block_id === 'string') expect(b.block_id.length).toBeLessThanOrEqual(SLACK_LIMITS.id);
  }
  for (const t of texts(m.blocks)) expect(t.text.length).toBeGreaterThan(0);
}

describe('every message the bot can produce stays within Block Kit limits', () => {
  it.each(catalog.models.map((m) => m.id))('%s, every workflow, several devices', (id) => {
    for (const v of everyVerdictFor(id))
      check(verdictBlocks(v, { stateId: 'abcdef012345', quants: QUANTS, notes: ['a note'] }));
  });

  it('the overview, media-only verdicts and a full page of pins', () => {
    for (const input of [{}, { workflow: 'image' }, { workflow: 'video' }]) {
      const r = compare(catalog, input);
      if (!r.ok) throw new Error(r.error.message);
      check(verdictBlocks(r.value, { stateId: 'abcdef012345', quants: QUANTS }));
    }
    const items = Array.from({ length: 10 }, (_, i) => ({
      id: 1000 + i,
      platform: 'slack' as const,
      serverId: 'T',
      channelId: 'C',
      messageId: '1.2',
      queryKey: 'k',
      query: {},
      headline: 'h'.repeat(4000),
      winner: 'tie',
      dataVersion: 'v',
      pinnedBy: 'U',
      pinnedAt: '2026-11-23T00:00:00.000Z',
      refreshedAt: null,
      unpinnedBy: null,
      unpinnedAt: null,
      stale: true,
    }));
    check(pinsBlocks({ items, page: 1, pages: 3, total: 25 }, true));
  });
});
