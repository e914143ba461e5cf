import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/console/cli.js';
import { runConsole } from '../../src/console/console.js';
import { catalog } from '../helpers/catalog.js';
import { storePerTest } from '../helpers/store.js';

/** A question whose reading is stable while the core's reading improves. */
const STABLE = 'llama 3.3 70b on a 5090 or mac studio';
const KEYS = [
  'id',
  'intent',
  'model',
  'quant',
  'contextTokens',
  'workflow',
  'priority',
  'devices',
  'answer',
  'clarify',
  'error',
];

async function run(argv: string[], stdin: string | Buffer[] = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    {
      stdout: (s) => void out.push(s),
      stderr: (s) => err.push(s),
      stdin: Readable.from(typeof stdin === 'string' ? [stdin] : stdin),
      color: false,
    },
    catalog,
  );
  return { code, out, err: err.join('\n') };
}

describe('whichgpu ask', () => {
  it('prints the answer as the terminal card', async () => {
    const r = await run(['ask', ...STABLE.split(' ')]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/Llama 3\.3 70B/);
    expect(r.out.join('\n')).toMatch(/decode tok\/s/);
  });

  it('--json prints the contract object, its verdict serialised as compare --json serialises it', async () => {
    const r = await run(['ask', STABLE, '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out.join('\n'));
    expect(Object.keys(o)).toEqual(KEYS);
    expect(o.id).toBeNull();
    expect(o.answer.query.model).toBe('llama-3.3-70b');
    expect(o.answer.devices).toHaveLength(2);
    const compared = await run(['compare', '--model', 'llama-3.3-70b', '--json']);
    // The same serialiser: the verdict keys are the same as compare --json's.
    expect(Object.keys(o.answer)).toEqual(Object.keys(JSON.parse(compared.out.join('\n'))));
    expect(JSON.stringify(o.answer)).not.toMatch(/"facts"/);
  });

  it('--jsonl answers every line in order, keeps ids, and goes on after a bad line', async () => {
    const lines = [
      JSON.stringify({ id: 'a', text: STABLE }),
      'not json',
      JSON.stringify({ id: 7, nothing: 'here' }),
      '',
      JSON.stringify({ text: 'qwen 2.5 coder 32b on a 4090' }),
    ].join('\n');
    const r = await run(['ask', '--jsonl'], lines);
    expect(r.code).toBe(0);
    const out = r.out.map((l) => JSON.parse(l));
    expect(out).toHaveLength(4);
    for (const o of out) expect(Object.keys(o)).toEqual(KEYS);
    expect(out[0]).toMatchObject({ id: 'a', error: null });
    expect(out[0].answer.query.model).toBe('llama-3.3-70b');
    expect(out[1]).toMatchObject({ id: 'line-2', answer: null, error: { code: 'INVALID_QUERY' } });
    expect(out[2]).toMatchObject({ id: 7, answer: null, error: { code: 'INVALID_QUERY' } });
    expect(out[2].error.message).toMatch(/"text"/);
    expect(out[3].id).toBeNull();
    expect(out[3].answer !== null || out[3].clarify !== null || out[3].error !== null).toBe(true);
  });

  it('--jsonl ends lines at \\n only: a stray \\r inside a line does not split it', async () => {
    const chunks = [
      // A \r between tokens is whitespace to JSON.parse; a reader that ended lines there would see two bad lines.
      Buffer.from(`{"id":"r1",\r"text":"${STABLE}"}\r\n{"id":"r2",`),
      Buffer.from(`"text":"${STABLE}"}\n`),
    ];
    const r = await run(['ask', '--jsonl'], chunks);
    const out = r.out.map((l) => JSON.parse(l));
    expect(out.map((o) => o.id)).toEqual(['r1', 'r2']);
    expect(out[0].answer.query.model).toBe('llama-3.3-70b');
    expect(out[1].answer.query.model).toBe('llama-3.3-70b');
  });

  it('usage: no question, or a question beside --jsonl, exits 2; help lists ask', async () => {
    expect((await run(['ask'])).code).toBe(2);
    expect((await run(['ask', 'llama', '--jsonl'])).code).toBe(2);
    const help = await run(['help']);
    expect(help.out.join('\n')).toMatch(/^ {2}ask /m);
    const askHelp = await run(['ask', '--help']);
    expect(askHelp.code).toBe(0);
    expect(askHelp.out.join('\n')).toMatch(/--jsonl/);
  });
});

describe('console free text', () => {
  const tmp = storePerTest('whichgpu-console-ask-');
  it('a question in plain words is read by ask and answered with the card', async () => {
    const out: string[] = [];
    await runConsole({
      input: Readable.from([`${STABLE}\n`]),
      write: (s) => void out.push(s),
      interactive: false,
      color: false,
      catalog,
      store: tmp.store,
    });
    expect(out.join('')).toMatch(/Llama 3\.3 70B/);
  });
});
