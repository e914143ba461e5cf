/** `compare ... --chart FILE` and `plan ... --chart FILE`: the file, where it went, and the answer as before. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/console/cli.js';
import { catalog } from '../../helpers/catalog.js';
import { readPng } from './read-png.js';

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

const dir = mkdtempSync(join(tmpdir(), 'whichgpu-chart-'));

describe('--chart', () => {
  it('compare writes the PNG, says where on stderr, and prints the answer as without it', async () => {
    const file = join(dir, 'compare.png');
    const plain = await run(['compare', '--model', 'llama-3.1-8b']);
    const r = await run(['compare', '--model', 'llama-3.1-8b', '--chart', file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(plain.out);
    expect(r.err).toMatch(
      new RegExp(`^Chart written to ${file.replace(/[.\\]/g, '\\$&')} \\(1040x\\d+ px, \\d+ KB\\)\\.$`),
    );
    const png = readPng(readFileSync(file));
    expect(png.width).toBe(1040);
  });

  it('keeps --json one JSON text on stdout', async () => {
    const file = join(dir, 'json.png');
    const r = await run(['compare', '--model', 'llama-3.1-8b', '--json', '--chart', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).devices).toHaveLength(2);
    expect(existsSync(file)).toBe(true);
  });

  it('says on stderr when the answer has no chart, and still answers', async () => {
    const file = join(dir, 'overview.png');
    const r = await run(['compare', '--chart', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/RTX 5090/);
    expect(r.err).toBe(`No chart for this answer; ${file} was not written.`);
    expect(existsSync(file)).toBe(false);
  });

  it('plan writes the plan chart', async () => {
    const file = join(dir, 'plan.png');
    const r = await run(['plan', '--workflow', 'coding', '--chart', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Best for coding/);
    expect(r.err).toMatch(/^Chart written to /);
    readPng(readFileSync(file));
  });

  it('fails with exit 1 when the file cannot be written, after the answer', async () => {
    const r = await run(['plan', '--chart', join(dir, 'no-such-dir', 'x.png')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Best for chat/);
    expect(r.err).toMatch(/^Could not write the chart to .*x\.png: ENOENT/);
  });
});
