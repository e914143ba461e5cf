/**
 * `report` in the local console (issue 18): the paste on the same line, or as a block after a
 * `report` line (its machine, model and quant there), up to a lone "." or the end of input; the
 * console's user moderates, so approving and the verdict's community line follow in one session.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runConsole } from '../../src/console/console.js';
import { catalog } from '../helpers/catalog.js';
import { storePerTest } from '../helpers/store.js';

const tmp = storePerTest('whichgpu-report-console-');

async function session(lines: string): Promise<string> {
  const input = new PassThrough();
  let out = '';
  const done = runConsole({
    input,
    write: (s) => (out += s),
    interactive: false,
    color: false,
    catalog,
    store: tmp.store,
  });
  input.end(lines);
  expect(await done).toBe(0);
  return out;
}

describe('console report', () => {
  it('reads a pasted block up to a lone ".", approves it, and the next verdict shows it', async () => {
    const out = await session(
      [
        'report machine:rtx-5090 model:llama-3.1-8b quant:Q4_K_M',
        'Prompt evaluation: 9000 tok/s',
        'Token generation: 190 tok/s',
        '.',
        'report approve 1',
        'llama 3.1 8b',
        '',
      ].join('\n'),
    );
    expect(out).toMatch(/Report #1 saved, pending a moderator's review\./);
    expect(out).toMatch(/decode 190 tok\/s/);
    expect(out).toMatch(/Report #1 approved\./);
    expect(out).toMatch(/📏 RTX 5090: measured by this community: 1 run, median 190 tok\/s \(prefill 9,000 tok\/s\)/);
  });

  it('a paste on the line itself, and a block ended by the end of input', async () => {
    const out = await session(
      'report machine:rtx-4090 model:llama-3.1-8b decode 140 tok/s\nreport\nmachine: rtx-3090\ndecode 90 tok/s',
    );
    expect(out).toMatch(/Report #1 saved/);
    expect(out).toMatch(/Not saved yet: the report does not say which model it ran/);
  });
});
