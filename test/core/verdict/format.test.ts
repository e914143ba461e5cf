import { describe, expect, it } from 'vitest';
import { fmt, fmtBand, fmtDb, fmtMonths, fmtSec, fmtUsdBand, fmtWait } from '../../../src/core/verdict/format.js';

describe('number formats', () => {
  it.each([
    [fmt.gb(5.25), '5.3'],
    [fmt.gb(42.04), '42.0'],
    [fmt.gb(140.4), '140'],
    [fmt.tps(4.25), '4.3'],
    [fmt.tps(42.4), '42'],
    [fmt.tps(187), '185'],
    [fmt.tps(12345), '12,300'],
    [fmt.usd(3057.6), '$3,058'],
    [fmt.ratio(2.46), '2.5'],
    [fmt.ratio(12.4), '12'],
    [fmtBand({ low: 40, high: 55 }, 'tok/s'), '40-55 tok/s'],
    [fmtBand({ low: 2.04, high: 2.01 }, 's'), '2.0 s'],
    [fmtSec(0.8504), '850 ms'],
    [fmtSec(2.54), '2.5 s'],
    [fmtSec(14.2), '14 s'],
    [fmtWait(14.2), '14.2 s'],
    [fmtDb({ low: 30, high: 30 }), '30 dBA'],
    [fmtDb({ low: 30, high: 42 }), '30-42 dBA'],
    [fmtUsdBand({ low: 2000, high: 2000 }), '$2,000'],
    [fmtUsdBand({ low: 2000, high: 2500.4 }), '$2,000-$2,500'],
    [fmtMonths({ low: 10.4, high: 20.6 }), '10-21 months'],
  ])('%s', (got, want) => expect(got).toBe(want));
});
