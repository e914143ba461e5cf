import { describe, expect, it } from 'vitest';
import { ask } from '../../../src/core/ask/ask.js';
import { catalog } from '../../helpers/catalog.js';

describe('a serving question about one machine', () => {
  it('is answered with users served at a speed, not the one-user decode', () => {
    const a = ask(catalog, 'can my rtx 4090 serve llama 3.1 8b to 16 users at once?');
    expect(a.answer && 'verdict' in a.answer).toBeTruthy();
    const headline = a.answer && 'verdict' in a.answer ? a.answer.verdict.headline : '';
    expect(headline).toMatch(/users? at ~\d/);
  });

  it("counts a server's energy per token at the tokens all its users get", async () => {
    const { compare } = await import('../../../src/core/verdict/compare.js');
    const chat = compare(catalog, { model: 'llama-3.1-8b', workflow: 'chat' });
    const serving = compare(catalog, { model: 'llama-3.1-8b', workflow: 'serving' });
    if (!chat.ok || !serving.ok) throw new Error('compare failed');
    const pc = (v: typeof chat) => v.value.devices.find((d) => d.backend === 'cuda')!;
    expect(pc(serving).cost.kWhPerMillionTokens!).toBeLessThan(pc(chat).cost.kWhPerMillionTokens! / 2);
  });
});
