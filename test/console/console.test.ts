import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'whichgpu-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Runs `npm start`'s entry point as a child process with piped stdin, as a shell pipe would. */
function runConsole(
  input: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_PATH: join(dir, `db-${++n}.sqlite`), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('console (npm start with no platform configured)', () => {
  it('answers each piped line and exits 0 at the end of input, without colour', async () => {
    const r = await runConsole('llama 3.3 70b q4_k_m\nqwen2.5-coder:32b for coding\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Llama 3\.3 70B · Q4_K_M/);
    expect(r.stdout).toMatch(/Qwen2\.5-Coder 32B · Q4_K_M · 32k context · coding/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stderr).toBe('');
  });

  it('reads free text with prices and hours, and says how it read them', async () => {
    const r = await runConsole('70b q8 for coding, 8h a day at 30 cents\n');
    expect(r.stdout).toMatch(/estimated as a 70B dense model/);
    expect(r.stdout).toMatch(/\$0\.30\/kWh/);
  });

  it('answers bad input with a message and goes on to the next line', async () => {
    const r = await runConsole('qwen2.5-codr-32b\n\u0000\u0001garbage ((((\nllama 3.1 8b\n');
    expect(r.code).toBe(0);
    // Read by ask, whose wording improves in parallel: the typed name or its suggestion.
    expect(r.stdout).toMatch(/qwen2\.5-codr-32b|Qwen2\.5-Coder 32B/);
    expect(r.stdout).toMatch(/Llama 3\.1 8B · Q4_K_M/);
  });

  it('runs CLI commands typed at the prompt', async () => {
    const r = await runConsole('compare --model gpt-oss:120b --json\nhelp\n');
    const json = r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1);
    expect(JSON.parse(json).query.model).toBe('gpt-oss-120b');
    expect(r.stdout).toMatch(/Pins: +verdicts \[page\]/);
  });

  it('stops at "quit" even with more input after it', async () => {
    const r = await runConsole('quit\nllama 3.1 8b\n');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Llama 3\.1 8B/);
  });

  it('pins, lists, refreshes and unpins verdicts and sets settings against the local database', async () => {
    const r = await runConsole(
      'pin\nllama 3.1 8b\npin\nverdicts\nsettings set kwh_price=0.30 hours=12\nsettings set hours=99\nverdicts refresh 1\nverdicts unpin 1\nverdicts\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to pin yet/);
    expect(r.stdout).toMatch(/Pinned as #1/);
    expect(r.stdout).toMatch(/1 pinned verdict, newest first\n#1 /);
    expect(r.stdout).toMatch(/Saved kwh_price, hours\.\nkwh_price=0\.3 hours=12/);
    expect(r.stdout).toMatch(/hours must be between 0\.1 and 24/);
    expect(r.stdout).toMatch(/Refreshed #1 with today's data/);
    expect(r.stdout).toMatch(/Unpinned #1/);
    expect(r.stdout).toMatch(/No pinned verdicts yet/);
  });

  it('pins the last plan like a verdict; the same plan asked again names the pin, and a refresh recomputes it', async () => {
    const r = await runConsole(
      'plan 3090 coding\npin\nwhat can I run on my 3090 for coding\nverdicts\nverdicts refresh 1\n',
    );
    expect(r.stdout).toMatch(/Pinned as #1/);
    expect(r.stdout).toMatch(/📌 A moderator pinned this plan as #1 on \d{4}-\d\d-\d\d\n\nPlan · coding/);
    expect(r.stdout).toMatch(/1 pinned verdict, newest first\n#1 .*Best for coding: RTX 3090: /);
    expect(r.stdout).toMatch(/nothing changed: same best pick and headline with today's data/);
  });

  it('keeps pins across runs in DATABASE_PATH', async () => {
    const path = join(dir, 'kept.sqlite');
    await runConsole('qwen2.5-coder:32b\npin\n', { DATABASE_PATH: path });
    const r = await runConsole('verdicts\nqwen2.5-coder:32b\n', { DATABASE_PATH: path });
    expect(r.stdout).toMatch(/1 pinned verdict/);
    expect(r.stdout).toMatch(/A moderator pinned this question as #1/);
  });

  it('a bad variable stops the start with a message naming it and a non-zero exit', async () => {
    const r = await runConsole('', { PORT: 'eighty' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid PORT/);
  });

  it('a database that is not ours stops the start with a clear message', async () => {
    const r = await runConsole('', { DATABASE_PATH: join(root, 'package.json') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot start: .*package\.json/);
  });
});
