import { describe, expect, it } from 'vitest';
import { compare, type SeedConflictFlag, type Verdict } from '../../src/core/index.js';
import {
  alreadyPinnedText,
  caveatLines,
  conflictLine,
  errorText,
  firstTokenLine,
  memoryFit,
  overviewCell,
  refreshedText,
  seedConflicts,
  videoLevel,
} from '../../src/render/shared.js';
import { catalog } from '../helpers/catalog.js';
import { evaluation } from '../core/verdict/evaluation.js';

describe('the wording every renderer shares', () => {
  it.each([
    ['fits', evaluation(), { fit: 'gpu', text: 'fits: 20.0 of 32.0 GB' }],
    [
      'fits after raising the limit',
      evaluation({ memory: { needsRaisedLimit: true, raisedAvailableGB: 120, sysctlTip: 'sudo sysctl x=1' } }),
      { fit: 'gpu', text: 'fits: 20.0 of 120 GB', after: 'sudo sysctl x=1' },
    ],
    [
      'offload',
      evaluation({ fit: 'offload', memory: { spillGB: 6 } }),
      { fit: 'offload', text: 'offload: 6.0 of 20.0 GB in system RAM' },
    ],
    [
      'none',
      evaluation({ fit: 'none', memory: { requiredGB: 140 } }),
      { fit: 'none', text: 'needs 140 GB, 32.0 GB usable' },
    ],
  ])('memoryFit: %s', (_, e, want) => expect(memoryFit(e)).toEqual(want));

  it('firstTokenLine: none without a prompt', () => {
    expect(firstTokenLine(evaluation({ timeToFirstTokenSec: 2.25 }), 4000)).toBe('First token (4000 tok): 2.3 s');
    expect(firstTokenLine(evaluation(), 0)).toBeNull();
  });

  it('overviewCell and videoLevel', () => {
    const cell = {
      id: 'a',
      fit: 'offload',
      requiredGB: 40,
      decodeTokensPerSec: 4.25,
      decodeBand: null,
      reported: null,
    } as const;
    expect(overviewCell(cell, 'A')).toBe('A: ~4.3 tok/s (offload)');
    expect(overviewCell({ ...cell, decodeTokensPerSec: null }, 'A')).toBe('A: cannot run (40.0 GB)');
    expect(videoLevel({ id: 'v', name: 'V', level: 'good', note: '', fits: false })).toBe('good (too little memory)');
  });

  it("conflictLine words the flag's facts, never its joined strings", () => {
    const f = Object.defineProperty(
      { kind: 'seed-conflict', device: 'd', subject: 's', claim: 'x (y)', source: 'Pub: t', estimate: '~9 tok/s' },
      'facts',
      { value: { claimed: '18 tok/s', note: 'n', publisher: 'Pub' } },
    ) as SeedConflictFlag;
    expect(conflictLine(f)).toBe('d: claimed 18 tok/s (Pub); physics: ~9 tok/s');
  });

  it('caveatLines: the other flags, the caveats, then the notes; conflicts are listed apart', () => {
    const r = compare(catalog, { model: 'llama-3-70b', quant: 'Q4_K_M', tokensPerDay: 100_000_000 });
    if (!r.ok) throw new Error(r.error.message);
    const v: Verdict = r.value;
    const lines = caveatLines(v, ['note']);
    const others = v.flags.filter((f) => f.kind !== 'seed-conflict');
    expect(others.length).toBeGreaterThan(0);
    expect(seedConflicts(v).length).toBeGreaterThan(0);
    expect(lines).toEqual([...others.map((f) => ('message' in f ? f.message : '')), ...v.verdict.caveats, 'note']);
  });
});

describe('the reply sentences every renderer shares', () => {
  it('an error with and without a hint, already pinned, refreshed', () => {
    expect(errorText({ message: 'No.' })).toBe('No.');
    expect(errorText({ message: 'No.', hint: 'Try this.' })).toBe('No.\nTry this.');
    expect(alreadyPinnedText(3)).toBe('Already pinned as #3.');
    expect(refreshedText(3, ['a', 'b'])).toBe("Refreshed #3 with today's data:\n• a\n• b");
    expect(refreshedText(3, ['a'], '  ')).toBe("Refreshed #3 with today's data:\n  • a");
  });
});
