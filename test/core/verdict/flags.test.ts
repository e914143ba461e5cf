import { describe, expect, it } from 'vitest';
import type { ReportedFigure } from '../../../src/core/catalog/schema.js';
import { checkDecodeClaim, reportedValue } from '../../../src/core/verdict/flags.js';
import { verdictJson } from '../../../src/core/verdict/json.js';
import type { Verdict } from '../../../src/core/verdict/types.js';
import { catalog } from '../../helpers/catalog.js';
import { evaluation } from './evaluation.js';

const source = catalog.reported()[0]!.source;
const title = (catalog.source('benchmarks', source) as { title: string }).title;
const figure = (low: number | null, high: number | null): ReportedFigure =>
  ({ ...catalog.reported()[0]!, low, high, unit: 'tok/s', claim: 'seed table', subject: 'm' }) as ReportedFigure;

describe('reportedValue', () => {
  it.each([
    [18, 18, '18 tok/s'],
    [6, 8, '6-8 tok/s'],
    [null, null, 'cannot run'],
  ])('%s-%s', (low, high, text) => expect(reportedValue(figure(low, high))).toBe(text));
});

describe('checkDecodeClaim: a seed conflict as fields', () => {
  it('a claim inside the physics band is no conflict', () => {
    expect(checkDecodeClaim(catalog, evaluation(), figure(95, 105))).toBeNull();
  });

  it('a claim outside the band: claim, source and estimate, and the facts a renderer words', () => {
    const f = checkDecodeClaim(catalog, evaluation({ id: 'rtx-5090' }), figure(18, 18))!;
    expect(f).toEqual({
      kind: 'seed-conflict',
      device: 'rtx-5090',
      subject: 'm',
      claim: '18 tok/s (seed table)',
      source: title,
      estimate: '~100 tok/s (band 90-110 tok/s)',
      facts: { claimed: '18 tok/s', note: 'seed table', publisher: title.split(':')[0] },
    });
  });

  it('the facts are an ordinary field, so a copy keeps them, and compare --json leaves them out (a contract)', () => {
    const f = checkDecodeClaim(catalog, evaluation(), figure(18, 18))!;
    expect({ ...f }.facts).toEqual(f.facts);
    expect(structuredClone(f).facts).toEqual(f.facts);
    const verdict = { flags: [f] } as unknown as Verdict;
    expect(Object.keys(JSON.parse(verdictJson(verdict)).flags[0])).toEqual([
      'kind',
      'device',
      'subject',
      'claim',
      'source',
      'estimate',
    ]);
  });

  it.each([
    [
      'claims it runs where it cannot fit',
      evaluation({ fit: 'none', memory: { requiredGB: 140 } }),
      figure(6, 8),
      /^cannot run: needs 140 GB, 32.0 GB usable on A$/,
    ],
    [
      'claims it cannot run where it fits',
      evaluation({ fit: 'offload', decodeTokensPerSec: 3 }),
      figure(null, null),
      /^runs \(with offload\): ~3 tok\/s$/,
    ],
  ])('%s', (_, e, r, estimate) => expect(checkDecodeClaim(catalog, e, r)?.estimate).toMatch(estimate));
});
