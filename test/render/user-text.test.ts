import { describe, expect, it } from 'vitest';
import { safeEcho } from '../../src/core/query/resolve.js';
import { understand } from '../../src/core/query/understand.js';
import { compare } from '../../src/core/verdict/compare.js';
import { verdictMessage } from '../../src/render/discord.js';
import { verdictBlocks } from '../../src/render/slack.js';
import { catalog } from '../helpers/catalog.js';

/** Text people could type to make the bot's public answer carry their link, mention or markup. */
const HOSTILE = [
  '[Claim your Nitro](https://evil.example/gift) 70b',
  '<https://evil.example/gift|Claim your Nitro> 70b',
  '@everyone free nitro 70b',
  '<@U0123ABCD> <!channel> 8b',
  '**urgent** `code` ~~x~~ ||spoiler|| _it_ 8b',
  'evil.example/gift 70b',
  '&lt;b&gt; 70b',
  'evil.com:8080/gift 70b',
  'evil.com. 70b',
  'evil.com- 70b',
  'x.y.z.io:1/a 70b',
  'localhost:8080/gift 70b',
  'mailto:x 70b',
  '1.1.1.1 70b',
];

/** What must not appear in any string the bot posts for them. */
const FORBIDDEN =
  /\]\(|<https?:|<[@!#]|@everyone|evil\.|\*\*urgent|`code`|~~|\|\||&lt;|\b_it_\b|x\.y\.z|localhost|mailto|1\.1\.1\.1/;

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.values(x).flatMap(strings);
  return [];
}

describe('user text in public answers', () => {
  it.each(HOSTILE)('%s is not echoed as a link, mention or markup', (typed) => {
    const u = understand(catalog, typed);
    for (const input of [{ model: typed }, u.ok ? u.value.input : {}]) {
      const r = compare(catalog, input);
      const posted = r.ok
        ? [
            ...strings(verdictMessage(r.value, { stateId: 'abcdef012345', quants: ['Q4_K_M'] })),
            ...strings(verdictBlocks(r.value, { stateId: 'abcdef012345', quants: ['Q4_K_M'] })),
          ]
        : [r.error.message, r.error.hint ?? ''];
      for (const s of posted) expect(s).not.toMatch(FORBIDDEN);
    }
  });

  it('model references keep their shape when said back', () => {
    for (const w of [
      'unsloth/Qwen3.8-27B-GGUF',
      'Foo-27B-Q4_K_M.gguf',
      'llama3.1:70b',
      'qwen2.5-coder:32b',
      'phi-3.5-mini',
      'model.Q4_K_M.gguf',
      'org/x.safetensors',
    ])
      expect(safeEcho(w, 60)).toBe(w);
  });

  it('an unknown model with nothing safe to say back is refused without quoting it', () => {
    const r = compare(catalog, { model: 'https://evil.example/x' });
    expect(!r.ok && r.error.message).toBe("I don't know that model.");
  });

  it('a plain unknown model is still named as typed', () => {
    const r = compare(catalog, { model: 'qwen 3.8 27b' });
    expect(r.ok && r.value.verdict.headline).toMatch(/qwen 3\.8 27b \(unknown/);
  });
});
