import { describe, expect, it } from 'vitest';
import { decodeChoice, decodeCustomId } from '../../src/render/discord-ids.js';
import { discordReply } from '../../src/render/discord-reply.js';
import { clarifyMessage, DISCORD_LIMITS } from '../../src/render/discord.js';
import { slackReply } from '../../src/render/slack-reply.js';
import { ASK_ACTION } from '../../src/render/slack-ids.js';
import { clarifyBlocks, SLACK_LIMITS } from '../../src/render/slack.js';
import { renderReply } from '../../src/render/text.js';

const few = [
  { label: 'Mac Studio M4 Max 128GB', text: 'llama 3.3 70b on a 5090 or mac studio m4 max 128gb' },
  { label: 'Mac Studio M3 Ultra 512GB', text: 'llama 3.3 70b on a 5090 or mac studio m3 ultra 512gb' },
];
/** More choices than any platform shows, with labels and questions past every limit. */
const many = Array.from({ length: 40 }, (_, i) => ({
  label: `choice ${i} ${'long label '.repeat(20)}`,
  text: `question ${i} ${'very long question '.repeat(200)}`,
}));
const QUESTION = 'Which Mac Studio do you mean?';
const STATE = 'a1b2c3d4e5f6';

describe('ask-back (clarify) renderers', () => {
  it('Discord: one button per choice, 5 a row, at most 5 rows, custom ids within 100 and unique', () => {
    for (const choices of [few, many]) {
      const m = clarifyMessage(QUESTION, choices, STATE, '> a quoted question\nhttps://discord.com/channels/1/2/3\n');
      expect(m.content!.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      expect(m.content).toContain(QUESTION);
      const rows = m.components as { components: { custom_id: string; label: string }[] }[];
      expect(rows.length).toBeLessThanOrEqual(DISCORD_LIMITS.rows);
      const buttons = rows.flatMap((r) => r.components);
      for (const r of rows) expect(r.components.length).toBeLessThanOrEqual(5);
      expect(buttons).toHaveLength(Math.min(choices.length, 25));
      expect(new Set(buttons.map((b) => b.custom_id)).size).toBe(buttons.length);
      buttons.forEach((b, i) => {
        expect(b.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
        expect(b.label.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonLabel);
        const { action, arg } = decodeCustomId(b.custom_id);
        expect(action).toBe('ask');
        expect(decodeChoice(arg)).toEqual({ stateId: STATE, index: i });
      });
    }
  });

  it('Discord: without a stored state the choices are listed as questions to ask again, within 2,000', () => {
    const m = clarifyMessage(QUESTION, few, undefined);
    expect(m.components).toBeUndefined();
    expect(m.content).toContain(few[1]!.text);
    expect(clarifyMessage(QUESTION, many, undefined).content!.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(discordReply({ kind: 'clarify', question: QUESTION, choices: few }).ephemeral).toBe(false);
  });

  it('decodeChoice refuses what is not "<state>.<index>"', () => {
    for (const arg of [undefined, '', 'abc', 'abc.', '.1', 'abc.x', 'abc.123'])
      expect(decodeChoice(arg)).toBeUndefined();
  });

  it("Slack: buttons within Block Kit's limits, each carrying its question in its value; public, with a text fallback", () => {
    for (const choices of [few, many]) {
      const { message, public: isPublic } = slackReply({ kind: 'clarify', question: QUESTION, choices }, undefined, []);
      expect(isPublic).toBe(true);
      expect(message.text).toContain(QUESTION);
      const actions = message.blocks.find((b) => b.type === 'actions') as unknown as {
        elements: { action_id: string; text: { text: string }; value: string }[];
      };
      expect(actions.elements).toHaveLength(Math.min(choices.length, SLACK_LIMITS.actionElements));
      expect(new Set(actions.elements.map((e) => e.action_id)).size).toBe(actions.elements.length);
      actions.elements.forEach((e, i) => {
        expect(e.action_id).toMatch(ASK_ACTION);
        expect(e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect(e.value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
        if (choices === few) expect(e.value).toBe(few[i]!.text);
      });
    }
    const led = clarifyBlocks(QUESTION, few, '> the question\n');
    expect((led.blocks[0] as unknown as { text: { text: string } }).text.text).toMatch(/^> the question\n/);
  });

  it('terminal: a numbered list and how to pick', () => {
    const text = renderReply({ kind: 'clarify', question: QUESTION, choices: few }, { color: false });
    expect(text.split('\n')).toEqual([
      expect.stringContaining(QUESTION),
      '  1. Mac Studio M4 Max 128GB',
      '  2. Mac Studio M3 Ultra 512GB',
      expect.stringMatching(/Type a number/),
    ]);
  });
});
