/**
 * The plan's Discord embed and Slack blocks at their largest (four machines, 25 picks each):
 * within each platform's limits, cut by whole picks, never in the middle of a line.
 */
import { describe, expect, it } from 'vitest';
import { plan, type Plan } from '../../src/core/index.js';
import { planEmbed } from '../../src/render/discord-plan.js';
import { DISCORD_LIMITS } from '../../src/render/discord.js';
import { planBlocks } from '../../src/render/slack-plan.js';
import { SLACK_LIMITS } from '../../src/render/slack.js';
import { catalog } from '../helpers/catalog.js';

function planned(input: Record<string, unknown>): Plan {
  const p = plan(catalog, input);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

const BIG = planned({
  devices: ['rtx-5090', 'rtx-4090', 'rtx-3090', 'mac-studio-m4-max-128gb'],
  minTokensPerSec: 1,
  limit: 25,
});
const NOTES = Array.from({ length: 12 }, (_, i) => `note ${i} ${'x'.repeat(300)}`);

/** A machine's lines: a pick, its run command in code, or how many picks were left out. */
const PICK_LINE = /^\d+\. .+ · ~[\d.-]+ tok\/s/;
const RUN_LINE = /^`[^`]+`$/;
const MORE_LINE = /^_?… and \d+ more picks?_?$/;

describe('plan embed (Discord)', () => {
  it('stays within every limit, keeping whole picks and each machine its best', () => {
    expect(BIG.devices.every((d) => d.picks.length === 25)).toBe(true);
    const e = planEmbed(BIG, NOTES);
    const fields = e.fields!;
    expect(fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(e.footer!.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
    const total =
      e.title!.length + e.footer!.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(fields.slice(0, 4).map((f) => f.name)).toEqual(['RTX 5090', 'RTX 4090', 'RTX 3090', 'M4 Max 128GB']);
    for (const f of fields.slice(0, 4)) {
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      const lines = f.value.split('\n');
      expect(lines[0]).toMatch(/^1\. /);
      for (const line of lines)
        expect(line).toMatch(new RegExp(`${PICK_LINE.source}|${RUN_LINE.source}|${MORE_LINE.source}`));
      expect(lines.at(-1)).toMatch(MORE_LINE);
    }
  });

  it('says so for a machine that runs nothing at the targets', () => {
    const e = planEmbed(planned({ devices: ['rtx-3060-8gb'], minTokensPerSec: 999 }));
    expect(e.fields![0]!.value).toMatch(/nothing in the catalog runs here/);
  });
});

describe('plan blocks (Slack)', () => {
  it('stays within every limit, keeping whole picks', () => {
    const m = planBlocks(BIG, NOTES);
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(m.blocks[0]!.type).toBe('header');
    const sections = m.blocks.filter((b) => b.type === 'section') as unknown as { text: { text: string } }[];
    for (const s of sections.slice(0, 4)) {
      expect(s.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      const [, ...lines] = s.text.text.split('\n');
      for (const line of lines)
        expect(line).toMatch(new RegExp(`${PICK_LINE.source}|${RUN_LINE.source}|${MORE_LINE.source}`));
    }
    const context = m.blocks.at(-1) as { type: string; elements: unknown[] };
    expect(context.type).toBe('context');
    expect(context.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  });

  it("escapes Slack's markup characters", () => {
    const p = planned({ devices: ['rtx-3090'] });
    const withAngle = {
      ...p,
      devices: [
        { ...p.devices[0]!, picks: [{ ...p.devices[0]!.picks[0]!, run: 'llama-server -m <Model Q4 GGUF> & more' }] },
      ],
    };
    const text = (planBlocks(withAngle).blocks[2] as unknown as { text: { text: string } }).text.text;
    expect(text).toContain('`llama-server -m &lt;Model Q4 GGUF&gt; &amp; more`');
  });
});
