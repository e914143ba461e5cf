/**
 * `/whichgpu plan <text>` and the ask intent that yields a plan, through signed HTTP requests to
 * Bolt's receiver: answered in the channel with a header, a section per machine, a context block for
 * the notes and a text fallback, within Slack's limits.
 */
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../src/render/slack.js';
import { slash, slackHttpApp } from './http-app.js';

slackHttpApp();

interface Text {
  type: string;
  text: string;
}
type Block = { type: string; text?: Text; elements?: Text[] };

function expectWithinLimits(msg: { text: string; blocks: unknown[] }): void {
  const blocks = msg.blocks as Block[];
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(msg.text.length).toBeGreaterThan(0);
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'context') expect(b.elements!.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
}

const sections = (msg: { blocks: unknown[] }) =>
  (msg.blocks as Block[]).filter((b) => b.type === 'section').map((b) => b.text!.text);

describe('/whichgpu plan <text> (signed HTTP)', () => {
  it('reads machines, workflow and context from the text and answers in the channel with blocks', async () => {
    const msg = await slash('plan 3090 coding 32k');
    expect(msg.response_type).toBe('in_channel');
    const blocks = msg.blocks as Block[];
    expect(blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Plan · coding · 32k context · 8+ tok/s, all in GPU memory' },
    });
    const [machine] = sections(msg);
    expect(machine!.split('\n')[0]).toBe('*RTX 3090*');
    // Each pick: its line, then how to run it, in code, with the context it needs.
    expect(machine).toMatch(/\n1\. .+ · ~\d+ tok\/s.*\n`llama-server .+ -c 32768`/);
    expect(blocks.at(-1)!.type).toBe('context');
    expect(msg.text).toMatch(/^Plan · coding · 32k context .*RTX 3090: /);
    expectWithinLimits(msg);
  });

  it('two machines side by side, a speed and what only one runs', async () => {
    const msg = await slash('plan 5090 vs mac studio m4 max 128gb rag 64k 15 tok/s');
    const s = sections(msg);
    expect(s[0]!.split('\n')[0]).toBe('*RTX 5090*');
    expect(s[1]!.split('\n')[0]).toMatch(/^\*M4 Max 128GB\*/);
    expect(s.some((x) => x.startsWith('*Only on one machine*'))).toBe(true);
    expect((msg.blocks as Block[])[0]!.text!.text).toMatch(/^Plan · rag · 64k context · 15\+ tok\/s/);
    expectWithinLimits(msg);
  });

  it('"I have a 3090" with a candidate: the upgrade', async () => {
    const msg = await slash('plan I have a 3090, 5090 for chat');
    const s = sections(msg);
    expect(s[0]!.split('\n')[0]).toBe('*RTX 3090 (yours)*');
    expect(s.find((x) => x.startsWith('*Upgrade*'))).toMatch(/RTX 5090 over RTX 3090: /);
    expectWithinLimits(msg);
  });

  it('an ask that yields a plan is rendered the same way', async () => {
    const msg = await slash('what can I run on my 3090 for coding');
    expect(msg.response_type).toBe('in_channel');
    expect((msg.blocks as Block[])[0]!.text!.text).toMatch(/^Plan · coding · /);
    expect(sections(msg)[0]!.split('\n')[0]).toMatch(/^\*RTX 3090/);
    expectWithinLimits(msg);
  });
});
