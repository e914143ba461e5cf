import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/console/cli.js';
import { catalog } from '../helpers/catalog.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    { stdout: (s) => void out.push(s), stderr: (s) => err.push(s), stdin: Readable.from(['']), color: false },
    catalog,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('whichgpu plan', () => {
  it('--json prints the plan object of the contract', async () => {
    const r = await run([
      'plan',
      '--device',
      'rtx-4090',
      '--workflow',
      'coding',
      '--context',
      '16k',
      '--limit',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out);
    expect(Object.keys(p)).toEqual([
      'dataVersion',
      'query',
      'devices',
      'onlyOn',
      'upgrade',
      'modelNames',
      'notes',
      'headline',
    ]);
    expect(p.query).toMatchObject({ workflow: 'coding', contextTokens: 16384, minTokensPerSec: 8, limit: 2 });
    const pick = p.devices[0].picks[0];
    expect(Object.keys(pick)).toEqual([
      'model',
      'quant',
      'contextTokens',
      'fit',
      'decodeTokensPerSec',
      'decodeBand',
      'prefillTokensPerSec',
      'timeToFirstTokenSec',
      'memoryGB',
      'quality',
      'quantCost',
      'why',
      'run',
    ]);
    expect(pick.contextTokens).toBe(16384);
  });

  it('prints a table per machine, and an upgrade over the machine one has', async () => {
    const r = await run(['plan', '--current', 'rtx-3090', '--device', 'rtx-5090', '--limit', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Plan · chat/);
    expect(r.out).toMatch(/RTX 3090 \(yours\)/);
    expect(r.out).toMatch(/RTX 5090 \(candidate\)/);
    expect(r.out).toMatch(/RTX 5090 over RTX 3090: speed on your picks \(Gemma 3 27B 3\d → 4\d tok\/s/);
  });

  it('a machine it cannot read is a clear error and exit 2', async () => {
    const r = await run(['plan', '--device', 'a toaster']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/I don't know the device/);
  });
});
