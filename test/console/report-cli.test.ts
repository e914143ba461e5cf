import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/console/cli.js';
import { MAX_REPORT_CHARS } from '../../src/core/reports/types.js';
import { catalog } from '../helpers/catalog.js';

/** A fixture as pasted: its "# source: <url>" line taken off. */
const paste = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reports', name), 'utf8').replace(/^# source: \S+\n/, '');

async function run(argv: string[], stdin: string | Buffer[] = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      stdin: Readable.from(typeof stdin === 'string' ? [stdin] : stdin),
      color: false,
    },
    catalog,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const MEASUREMENT_KEYS = [
  'device',
  'model',
  'quant',
  'runtime',
  'depthTokens',
  'promptTokens',
  'decodeTokensPerSec',
  'prefillTokensPerSec',
];

describe('whichgpu report', () => {
  it('--json prints the contract: measurements with their eight fields, and what is missing', async () => {
    const r = await run(['report', '--json', '--device', 'dgx-spark'], paste('llama-bench-dgx-spark-gpt-oss-120b.txt'));
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(Object.keys(o).slice(0, 2)).toEqual(['measurements', 'missing']);
    expect(o.measurements).toHaveLength(10);
    for (const m of o.measurements) expect(Object.keys(m)).toEqual(MEASUREMENT_KEYS);
    expect(o.measurements[3]).toEqual({
      device: 'dgx-spark',
      model: 'gpt-oss-120b',
      quant: 'MXFP4',
      runtime: 'llama.cpp',
      depthTokens: 4096,
      promptTokens: null,
      decodeTokensPerSec: 53.95,
      prefillTokensPerSec: null,
    });
    expect(o.missing).toEqual([]);
    expect(o.format).toBe('llama-bench');
  });

  it('says what the paste does not, for the flags to give', async () => {
    const r = await run(['report', '--json'], paste('ollama-mistral.txt'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).missing).toEqual(['device', 'quant']);
    const given = await run(
      ['report', '--json', '--device', 'rtx-3060-12gb', '--model', 'mistral 7b q4_0'],
      paste('ollama-mistral.txt'),
    );
    expect(JSON.parse(given.out)).toMatchObject({
      measurements: [{ device: 'rtx-3060-12gb', model: 'mistral-7b', quant: 'Q4_0', decodeTokensPerSec: 24.61 }],
      missing: [],
    });
  });

  it('prints a short summary without --json', async () => {
    const r = await run(
      ['report', '--device', 'mac-studio-m3-ultra-512gb'],
      paste('llama-bench-m3-ultra-llama-3.3-70b.txt'),
    );
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'Read as llama-bench output: 3 measurements',
        '  llama-3.3-70b Q4_K_M on mac-studio-m3-ultra-512gb, llama.cpp 4d3726278 (7315)',
        '    prefill 162.3 tok/s · 512-token prompt · depth 0',
        '    prefill 156.67 tok/s · 4096-token prompt · depth 0',
        '    decode 14.41 tok/s · depth 0',
        'note: left out 1 pp+tg row: prompt and generation timed together are neither speed',
      ].join('\n'),
    );
    const partial = await run(['report'], paste('mlx-lm-m4-pro-llama-3.1-8b.txt'));
    expect(partial.out).toMatch(/^Read as `mlx_lm.generate` output: 1 measurement\n/);
    expect(partial.out).toMatch(
      /llama-3.1-8b MLX-4bit on \(device\?\), mlx\n {4}decode 23.15 tok\/s · prefill 261.79 tok\/s/,
    );
    expect(partial.out).toMatch(/Still needed:\n {2}the machine: --device ID/);
  });

  it('reads a paste that arrives in pieces, split inside a character', async () => {
    const bytes = Buffer.from(paste('ollama-llama2.txt'), 'utf8');
    const at = bytes.indexOf(Buffer.from('µ')) + 1;
    const r = await run(['report', '--json'], [bytes.subarray(0, at), bytes.subarray(at)]);
    expect(JSON.parse(r.out).measurements[0]).toMatchObject({ model: 'llama-2-7b', decodeTokensPerSec: 23.98 });
  });

  it('exits 2 when nothing was measured, saying why on stderr', async () => {
    const r = await run(['report'], 'is a 5090 faster than a mac?');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^Nothing measured in the paste\./);
    expect(r.err).toMatch(/note: no benchmark output found/);
    const json = await run(['report', '--json'], 'is a 5090 faster than a mac?');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ measurements: [], format: 'unknown' });
  });

  it(`refuses a paste over ${MAX_REPORT_CHARS} characters without holding all of it`, async () => {
    const chunk = `${'x'.repeat(9_999)}\n`;
    const r = await run(
      ['report', '--json'],
      Array.from({ length: 200 }, () => Buffer.from(chunk)),
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).notes[0]).toMatch(/longer than the 20000 characters/);
  });

  it('reads a fixture piped into the package bin in a child process', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [join(root, 'bin', 'whichgpu.js'), 'report', '--json', '--device', 'mac mini m4 pro 64gb'],
        { cwd: root },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
      child.stdin!.end(paste('mlx-lm-m4-pro-llama-3.1-8b.txt'));
    });
    expect(JSON.parse(stdout)).toMatchObject({
      measurements: [{ device: 'mac-mini-m4-pro-64gb', model: 'llama-3.1-8b', quant: 'MLX-4bit', promptTokens: 32159 }],
      missing: [],
      format: 'mlx-lm',
    });
  });

  it('--help, and a usage error for an unknown flag', async () => {
    const help = await run(['report', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: whichgpu report \[--device ID\] \[--model TEXT\] \[--json\] < pasted-output/);
    const bad = await run(['report', '--quant', 'q4']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Run with --help for usage/);
  });
});
