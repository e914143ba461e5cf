import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/console/cli.js';
import { catalog } from '../helpers/catalog.js';

const root = join(import.meta.dirname, '..', '..');

async function run(argv: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    { stdout: (s) => void out.push(s), stderr: (s) => err.push(s), stdin: Readable.from([stdin]), color: false },
    catalog,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('whichgpu CLI', () => {
  it('compare --json prints the verdict object', async () => {
    const r = await run([
      'compare',
      '--model',
      'qwen2.5-coder:32b',
      '--workflow',
      'coding',
      '--context',
      '32k',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.query).toMatchObject({ model: 'qwen2.5-coder-32b', contextTokens: 32768, workflow: 'coding' });
    expect(v.devices.map((d: { id: string }) => d.id)).toEqual(['rtx-5090', 'mac-studio-m4-max-128gb']);
    expect(['rtx-5090', 'mac-studio-m4-max-128gb', 'tie', 'neither']).toContain(v.verdict.winner);
  });

  it('compare prints a readable card without colour when piped', async () => {
    const r = await run(['compare', '--model', 'llama-3.3-70b']);
    expect(r.out).toMatch(/Memory/);
    expect(r.out).toMatch(/decode tok\/s/);
    expect(r.out).not.toMatch(/\u001b\[/);
  });

  it.each([[['compare', '--bogus']], [['compare', '--context', 'lots']], [['frobnicate']], [['estimate']], [[]]])(
    'usage error %j exits 2',
    async (argv) => {
      expect((await run(argv)).code).toBe(2);
    },
  );

  it('an unknown model exits 2 with a suggestion', async () => {
    const r = await run(['compare', '--model', 'qwen2.5-codr-32b']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Did you mean/);
  });

  it('--help works for every subcommand', async () => {
    for (const c of ['compare', 'estimate', 'devices', 'models']) expect((await run([c, '--help'])).code).toBe(0);
  });

  it('estimate --jsonl answers every line in order and never stops on a bad one', async () => {
    const lines = [
      JSON.stringify({ id: 'a', device: 'rtx-5090', model: 'llama-3.1-8b', quant: 'Q4_K_M' }),
      'not json',
      JSON.stringify({ id: 'c', device: 'rtx-9999', model: 'llama-3.1-8b' }),
      JSON.stringify({
        id: 'd',
        device: { memoryGB: 24, bandwidthGBs: 936, backend: 'cuda', gpus: 2, fp16Tflops: 142 },
        model: { paramsB: 70.6, quant: 'Q4_K_M', fileGB: 42.5 },
        depthTokens: 4096,
      }),
      JSON.stringify({ id: 'e', device: 'mac-studio-m4-max-128gb', model: 'llama-3-70b', quant: 'F16' }),
    ];
    const r = await run(['estimate', '--jsonl'], lines.join('\n'));
    const out = r.out.split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['a', 'line-2', 'c', 'd', 'e']);
    expect(out[0].fit).toBe('gpu');
    expect(out[0].decodeTokensPerSec).toBeGreaterThan(100);
    expect(out[1].error.code).toBe('INVALID_QUERY');
    expect(out[2].error.code).toBe('UNKNOWN_DEVICE');
    expect(out[3]).toMatchObject({ fit: 'gpu', memory: { requiredGB: expect.any(Number) } });
    expect(out[3].decodeTokensPerSec).toBeGreaterThan(12);
    expect(out[3].decodeTokensPerSec).toBeLessThan(24);
    expect(out[4]).toMatchObject({ fit: 'none', decodeTokensPerSec: null });
  });

  it('estimate --jsonl ends lines at \\n only: a bare \\r stays inside its line', async () => {
    const line = JSON.stringify({ id: 'x', device: 'rtx-5090', model: 'llama-3.1-8b' });
    // 300 lines, each with bare carriage returns between its tokens and one at its end.
    const input = Array.from({ length: 300 }, () => line.replace(/,/g, ',\r') + '\r').join('\n');
    const r = await run(['estimate', '--jsonl'], input);
    const out = r.out.split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(300);
    expect(out.every((o) => o.id === 'x' && o.fit === 'gpu')).toBe(true);
  });

  it('estimate --jsonl waits for a slow reader instead of queueing every result', async () => {
    const line = JSON.stringify({ device: 'rtx-5090', model: 'llama-3.1-8b' });
    const written: string[] = [];
    let release: () => void = () => undefined;
    let waits = 0;
    const done = runCli(
      ['estimate', '--jsonl'],
      {
        // A reader that is always behind: every write says "wait for drain".
        stdout: (s) => (written.push(s), false),
        drained: () => (waits++, new Promise<void>((r) => (release = r))),
        stderr: () => undefined,
        stdin: Readable.from([Array.from({ length: 50 }, () => line).join('\n')]),
        color: false,
      },
      catalog,
    );
    // The first result is written, then the CLI waits: however long the reader takes, no second one.
    await vi.waitFor(() => expect(waits).toBe(1));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(written).toHaveLength(1);
    let finished = false;
    void done.then(() => (finished = true));
    for (let i = 0; i < 1000 && !finished; i++) {
      release();
      await new Promise((r) => setImmediate(r));
    }
    expect(await done).toBe(0);
    expect(written).toHaveLength(50);
    expect(waits).toBe(50);
  });

  it('estimate --jsonl answers an overlong line as one bad line and goes on', async () => {
    const good = JSON.stringify({ id: 'ok', device: 'rtx-5090', model: 'llama-3.1-8b' });
    const r = await run(['estimate', '--jsonl'], `${'x'.repeat(1_100_000)}\n${good}`);
    const out = r.out.split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['line-1', 'ok']);
    expect(out[0].error.code).toBe('INVALID_QUERY');
  });

  it('runs as the package bin in a child process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin', 'whichgpu.js'), 'devices', '--json'],
      { cwd: root },
    );
    const devices = JSON.parse(stdout);
    expect(devices.map((d: { id: string }) => d.id)).toContain('2x-rtx-5090');
  });
});
