import { describe, expect, it } from 'vitest';
import { answerChoice, choiceText, saveChoices } from '../../commands/ask.js';
import { commands } from '../../commands/index.js';
import { textReply } from '../../commands/text.js';
import type { Reply } from '../../commands/types.js';
import { CONSOLE_TEXT } from '../../src/console/console.js';
import { commandContext } from '../helpers/context.js';
import { storePerTest } from '../helpers/store.js';

const tmp = storePerTest('whichgpu-ask-');
/** A question whose reading is stable while the core's reading improves: a model and two named machines. */
const STABLE = 'llama 3.3 70b on a 5090 or mac studio';

function expectKind<K extends Reply['kind']>(r: Reply, kind: K): Extract<Reply, { kind: K }> {
  expect(r.kind, JSON.stringify(r).slice(0, 500)).toBe(kind);
  return r as Extract<Reply, { kind: K }>;
}

describe('ask command', () => {
  it('answers a question in plain words with a verdict, its reading notes attached', async () => {
    const r = expectKind(await commands.ask.execute(commandContext(tmp.store), { question: STABLE }), 'verdict');
    expect(r.verdict.model?.id).toBe('llama-3.3-70b');
    expect(Array.isArray(r.notes)).toBe(true);
    expect(r.queryKey).toContain('llama-3.3-70b');
  });

  it("takes the server's settings as defaults, and what the question says wins over them", async () => {
    const ctx = commandContext(tmp.store);
    await commands.settings.execute(ctx, { set: { kwh_price: '0.5', years: '5' } });
    const byDefault = expectKind(await commands.ask.execute(ctx, { question: STABLE }), 'verdict');
    expect(byDefault.verdict.query).toMatchObject({ kwhPrice: 0.5, years: 5 });
    const said = expectKind(await commands.ask.execute(ctx, { question: `${STABLE} $0.30/kWh` }), 'verdict');
    expect(said.verdict.query).toMatchObject({ kwhPrice: 0.3, years: 5 });
  });

  it('an empty question is refused by the schema with an example to type', async () => {
    const parsed = commands.ask.schema.safeParse({ question: '   ' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/Ask a question/);
  });

  it('a question longer than 2,000 characters is read from its first 2,000', async () => {
    const parsed = commands.ask.schema.safeParse({ question: `${STABLE} ${'x'.repeat(5000)}` });
    expect(parsed.success && parsed.data.question.length).toBe(2000);
  });

  it("an ask-back's choices are stored under one state id; a picked index is answered as a new question", async () => {
    const ctx = commandContext(tmp.store);
    const id = (await saveChoices(tmp.store, [
      { label: 'RTX 5090 vs Mac Studio', text: STABLE },
      { label: 'other', text: 'qwen 2.5 coder 32b' },
    ]))!;
    expect(id).toMatch(/^\w+$/);
    expect(await choiceText(tmp.store, id, 1)).toBe('qwen 2.5 coder 32b');
    const picked = expectKind(await answerChoice(ctx, id, 0, 'too old'), 'verdict');
    expect(picked.verdict.model?.id).toBe('llama-3.3-70b');
    for (const [state, index] of [
      [id, 2],
      [id, -1],
      [id, 0.5],
      ['gone', 0],
    ] as const)
      expect(expectKind(await answerChoice(ctx, state, index, 'too old'), 'error').error).toEqual({
        code: 'NOT_FOUND',
        message: 'too old',
      });
  });

  it("a stored verdict's state is not an ask-back's choices", async () => {
    const v = expectKind(await commands.ask.execute(commandContext(tmp.store), { question: STABLE }), 'verdict');
    const id = (await tmp.store.saveQuery(v.verdict.query as unknown as Record<string, unknown>))!;
    expect(await choiceText(tmp.store, id, 0)).toBeUndefined();
  });

  it('free text in the shared text grammar goes through ask; help and pins keep their words', async () => {
    const ctx = commandContext(tmp.store);
    expectKind(await textReply(ctx, CONSOLE_TEXT, STABLE, STABLE.split(' ')), 'verdict');
    expectKind(await textReply(ctx, CONSOLE_TEXT, 'help', ['help']), 'help');
    expectKind(await textReply(ctx, CONSOLE_TEXT, 'pins', ['pins']), 'pins');
  });
});
