import { describe, expect, it } from 'vitest';
import { NameTrie, namePieces, nameTokens, tokensOf, TypoIndex } from '../../../src/core/ask/words.js';
import { ask } from '../../../src/core/ask/ask.js';
import { catalog } from '../../helpers/catalog.js';

/** [token, piece, first, last] of each token. */
const shape = (text: string) => tokensOf(text).map((t) => [t.t, t.piece, t.first, t.last]);

describe('tokens and pieces', () => {
  it.each([
    [
      'rtx3090',
      [
        ['rtx', 0, true, false],
        ['3090', 0, false, true],
      ],
    ],
    [
      'RTX-3090',
      [
        ['rtx', 0, true, true],
        ['3090', 1, true, true],
      ],
    ],
    [
      'm2max',
      [
        ['m', 0, true, false],
        ['2', 0, false, false],
        ['max', 0, false, true],
      ],
    ],
    [
      '1.5b',
      [
        ['1.5', 0, true, false],
        ['b', 0, false, true],
      ],
    ],
    // A count glued to a name: the x goes with the count, the name starts a piece of its own.
    [
      '4xRTX 3090',
      [
        ['4', 0, true, false],
        ['x', 0, false, true],
        ['rtx', 1, true, true],
        ['3090', 2, true, true],
      ],
    ],
    [
      // A count after the name stays in its piece: only a count before a name ("4xRTX") splits.
      '3090x2',
      [
        ['3090', 0, true, false],
        ['x', 0, false, false],
        ['2', 0, false, true],
      ],
    ],
    // Each CJK character is a piece; the Chinese numerals people use for counts read as digits.
    [
      '8张4090',
      [
        ['8', 0, true, true],
        ['张', 1, true, true],
        ['4090', 2, true, true],
      ],
    ],
    [
      '两张3090',
      [
        ['2', 0, true, true],
        ['张', 1, true, true],
        ['3090', 2, true, true],
      ],
    ],
    [
      '显存24G',
      [
        ['显', 0, true, true],
        ['存', 1, true, true],
        ['24', 2, true, false],
        ['g', 2, false, true],
      ],
    ],
  ] as const)('%s', (text, tokens) => {
    expect(shape(text)).toEqual(tokens);
  });

  it('keeps the offsets of each token in the original text', () => {
    const text = 'My RTX3090 + 64GB';
    expect(tokensOf(text).map((t) => text.slice(t.start, t.end))).toEqual(['My', 'RTX', '3090', '64', 'GB']);
  });

  it('splits a name into lowercase tokens', () => {
    expect(nameTokens('GeForce RTX 3060 Ti')).toEqual(['geforce', 'rtx', '3060', 'ti']);
  });

  it('reads punctuation, emoji and control characters as nothing', () => {
    expect(tokensOf('?! -- \u0000\u001b 🚀 …')).toEqual([]);
  });
});

describe('name trie', () => {
  const trie = new NameTrie<string>();
  for (const [name, id] of [
    ['A2', 'a2'],
    ['A10', 'a10'],
    ['RTX 3090', 'rtx-3090'],
    ['RTX 3090 Ti', 'rtx-3090-ti'],
    ['Qwen', 'qwen'],
  ])
    trie.add(namePieces(name!), id!);
  /** The name found at each token (null where none starts). */
  const found = (text: string) => {
    const tokens = tokensOf(text);
    return tokens.map((_, i) => trie.longest(tokens, i)?.value ?? null);
  };

  it.each([
    ['A2', ['a2', null]],
    ['a2 card', ['a2', null, null]],
    // Glued in the name, glued in the text: "a 2" is no A2.
    ['a 2', [null, null]],
    ['A10', ['a10', null]],
    // A match ends where a piece ends: no A10 inside "A10B" or a model name.
    ['A10B', [null, null, null]],
    ['Qwen3.5-122B-A10B', ['qwen', null, null, null, null, null, null]],
    ['rtx 3090', ['rtx-3090', null]],
    ['rtx3090', ['rtx-3090', null]],
    // The longest name wins.
    ['rtx 3090 ti', ['rtx-3090-ti', null, null]],
    // A plural, a count or a size glued on still ends the name.
    ['rtx 3090s', ['rtx-3090', null, null]],
    ['rtx 3090x2', ['rtx-3090', null, null, null]],
    ['rtx 30900', [null, null]],
  ] as const)('%s', (text, values) => {
    expect(found(text)).toEqual(values);
  });

  it('gives the end of the longest match', () => {
    const tokens = tokensOf('my rtx 3090 ti here');
    expect(trie.longest(tokens, 1)).toEqual({ value: 'rtx-3090-ti', end: 4 });
  });

  it('keeps the first value added for a name', () => {
    const t = new NameTrie<string>();
    t.add(nameTokens('M4 Max'), 'first');
    t.add(nameTokens('m4 max'), 'second');
    expect(t.longest(tokensOf('m4 max'), 0)?.value).toBe('first');
  });
});

describe('typo index', () => {
  const typos = new TypoIndex(['llama', 'deepseek', 'ultra', 'mistral']);

  it.each([
    ['lama', 'llama'], // a letter missing
    ['llamma', 'llama'], // a letter extra
    ['lxama', 'llama'], // a letter wrong
    ['llmaa', 'llama'], // neighbours swapped
    ['deepsek', 'deepseek'],
    ['utra', 'ultra'],
    ['mistrall', 'mistral'],
  ])('mends %s to %s', (typed, word) => {
    expect(typos.mend(typed)).toBe(word);
  });

  it.each(['lma', 'xlamx', 'dpsek', 'ura', 'xyz'])('leaves %s (two edits or more) alone', (typed) => {
    expect(typos.mend(typed)).toBeUndefined();
  });

  it('never pairs words that only share a letter lost at different places (two edits)', () => {
    // "swan" and "sana" both give "san", "when" and "qwen" both give "wen": neither is a typo of the other.
    const names = new TypoIndex(['sana', 'qwen', 'ultra']);
    expect(names.mend('swan')).toBeUndefined();
    expect(names.mend('when')).toBeUndefined();
    // ... but a word sharing a key with a two-edit word still finds its one-edit one.
    expect(new TypoIndex(['sana', 'swat']).mend('swan')).toBe('swat');
  });

  it('does not call a word of the vocabulary a typo', () => {
    for (const w of ['llama', 'deepseek', 'ultra', 'mistral']) expect(typos.mend(w)).toBeUndefined();
  });
});

describe('token positions', () => {
  // Every token is the text at its own position: the readers cut machines and models out of the
  // question by these offsets (a wrong one crashed ask on "an RX 6800XT and an RTX A5000").
  const samples = [
    'an RX 6800XT and an RTX A5000',
    '4xRTX 3090, 2xA100 and a 7900XTX',
    'Qwen3.5-122B-A10B on 8x7b v0.3 gpt4.o 3.5GHz',
    'RTX3060Ti 12GB, M2Max 96gb, 8张4090, 显存48GB',
    'x2 3090x2 10xH100 XTX xt 6800xt',
  ];
  it.each(samples)('%s', (text) => {
    for (const t of tokensOf(text)) {
      const cut = text.slice(t.start, t.end);
      expect(cut.toLowerCase() === t.t || /[\u3400-\u9fff]/.test(cut), `${t.t} at ${t.start}: "${cut}"`).toBe(true);
    }
  });
  it('ask reads those questions without throwing', () => {
    for (const text of samples) expect(() => ask(catalog, text)).not.toThrow();
  });
});
