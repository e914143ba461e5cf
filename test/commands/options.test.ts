/** Compare's options: one table read by the Discord options, the CLI flags and free text's key=value pairs. */
import { describe, expect, it } from 'vitest';
import { compareInputOfFlags, compareInputOfOptions, COMPARE_FLAGS } from '../../commands/options.js';
import { commands } from '../../commands/index.js';
import { COMPARE_OPTIONS, understand } from '../../src/core/index.js';
import { catalog } from '../helpers/catalog.js';

const read = { number: (t: string) => Number(t), tokens: (t: string) => Number(t) * 2 };

describe('compare options', () => {
  it('every registered /compare option has a row in the table, and every row with an option is registered', () => {
    const registered = commands.compare.options.map((o) => o.name).sort();
    const tabled = COMPARE_OPTIONS.flatMap((o) => (o.option ? [o.option] : [])).sort();
    expect(tabled).toEqual(registered);
  });

  it('maps Discord option names to input fields and ignores a value of the wrong type or an unknown option', () => {
    expect(
      compareInputOfOptions({ model: 'llama', context: 32768, kwh_price: 0.3, hours: '8', nonsense: 'x' }),
    ).toEqual({ model: 'llama', contextTokens: 32768, kwhPrice: 0.3 });
  });

  it('reads CLI flags in the table order, lower-casing workflow and priority', () => {
    expect(
      compareInputOfFlags(
        { 'kwh-price': '0.3', context: '100', workflow: 'CODING', device: 'rtx-5090', json: true },
        read,
      ),
    ).toEqual({ contextTokens: 200, workflow: 'coding', device: 'rtx-5090', kwhPrice: 0.3 });
    expect(Object.keys(COMPARE_FLAGS)).toContain('tokens-per-day');
  });

  it('free text takes key=value pairs for the keyed options only', () => {
    const r = understand(catalog, 'model=llama-3.3-70b workflow: coding hours=12');
    expect(r.ok && r.value.input).toMatchObject({ model: 'llama-3.3-70b', workflow: 'coding' });
  });
});
