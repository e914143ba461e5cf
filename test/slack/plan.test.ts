/**
 * `/whichgpu plan <text>` and the ask intent that yields a plan, through signed HTTP requests to
 * Bolt's receiver: answered in the channel with a header, a section per machine, a context block for
 * the notes and a text fallback, within Slack's limits.
 */
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS } from '../../src/render/slack.js';
import { actionsOf, click, fake, slash, slackHttpApp, t } from './http-app.js';

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

/** The sections after the headline's: a machine's picks, what only one runs, the upgrade. */
const sections = (msg: { blocks: unknown[] }) =>
  (msg.blocks as Block[])
    .filter((b) => b.type === 'section')
    .map((b) => b.text!.text)
    .slice(1);
const headline = (msg: { blocks: unknown[] }) => (msg.blocks as Block[]).find((b) => b.type === 'section')!.text!.text;

describe('/whichgpu plan <text> (signed HTTP)', () => {
  it('reads machines, workflow and context from the text and answers in the channel with blocks', async () => {
    const msg = await slash('plan 3090 coding 32k');
    expect(msg.response_type).toBe('in_channel');
    const blocks = msg.blocks as Block[];
    expect(blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Plan · coding · 32k context · 8+ tok/s, all in GPU memory' },
    });
    expect(headline(msg)).toMatch(/^\*Best for coding: RTX 3090: .+ (Q\d\w*|IQ4_XS) \(~\d+ tok\/s\)\*$/);
    const [machine] = sections(msg);
    expect(machine!.split('\n')[0]).toBe('*RTX 3090*');
    // Each pick: its line, then how to run it, in code, with the context it needs.
    expect(machine).toMatch(/\n1\. .+ · ~\d+ tok\/s.*\n`llama-server .+ -c 32768`/);
    // The notes, then the Pin button carrying the plan's state.
    expect(blocks.at(-2)!.type).toBe('context');
    expect(blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'whichgpu_pin' }] });
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

describe('pinning a plan on Slack', () => {
  it('an admin pins a plan with pins.add; the plan asked again names the pin; the pins list shows its headline', async () => {
    const msg = await slash('plan 3090 coding');
    const [pin] = actionsOf(msg);
    expect(pin).toMatchObject({ action_id: 'whichgpu_pin', text: { text: ':pushpin: Pin plan' } });
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value: pin!.value }, 'UADMIN');
    const id = Number(/Pinned as #(\d+)/.exec(r.text)![1]);
    const add = await fake.waitFor((c) => c.method === 'pins.add');
    expect(add.body).toMatchObject({ channel: 'C1', timestamp: '1700000000.000100' });
    expect(await t.store.get('slack', 'T1', id)).toMatchObject({
      headline: headline(msg).replace(/^\*|\*$/g, ''),
      query: { plan: { devices: ['rtx-3090'], workflow: 'coding' } },
      pinnedBy: 'UADMIN',
    });
    const again = await slash('what can I run on my 3090 for coding');
    expect((again.blocks as Block[])[1]).toMatchObject({
      type: 'context',
      elements: [{ text: expect.stringMatching(new RegExp(`^:pushpin: A moderator pinned this plan as #${id} on `)) }],
    });
    const pins = await slash('pins');
    expect(JSON.stringify(pins.blocks)).toContain('Best for coding: RTX 3090');
  });
});
