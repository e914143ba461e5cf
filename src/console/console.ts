/**
 * The local console: type `compare --model ...`, a bare model reference, `help` or `quit`.
 * With piped input it answers each line and exits at the end of input.
 */
import { createInterface } from 'node:readline';
import { loadCatalog } from '../catalog/load.js';
import { understand } from '../core/understand.js';
import { compare } from '../core/verdict.js';
import { renderText } from '../render/text.js';
import { runCli } from './cli.js';

export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  write: (s: string) => void;
  interactive: boolean;
  color: boolean;
}

const BANNER = `whichgpu console: RTX 5090 or Mac Studio M4 Max?
Ask in plain words: "llama 3.3 70b q8 for coding, 8h a day at 30 cents", "qwen2.5-coder:32b quiet",
"flux image gen", "gpt-oss 120b vs m3 ultra". Or use flags: "compare --model X --workflow coding".
"help" lists everything, "quit" leaves.\n`;

/** Splits a command line on spaces, keeping "quoted words" together. */
export function splitArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

export async function runConsole(opts: ConsoleOptions): Promise<number> {
  const catalog = loadCatalog();
  const rl = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
  if (opts.interactive) opts.write(`${BANNER}\n> `);
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'quit' || line === 'exit') break;
    if (line !== '') {
      const words = splitArgs(line);
      const head = words[0]!.toLowerCase();
      if (['compare', 'estimate', 'devices', 'models', 'help'].includes(head)) {
        await runCli(words, { stdout: (s) => opts.write(`${s}\n`), stderr: (s) => opts.write(`${s}\n`), stdin: opts.input, color: opts.color }, catalog);
      } else {
        const u = understand(catalog, line);
        const r = u.ok ? compare(catalog, u.value.input) : u;
        if (r.ok) {
          const notes = u.ok && u.value.notes.length ? `(${u.value.notes.join('; ')})\n` : '';
          opts.write(`${renderText(r.value, { color: opts.color })}\n${notes}`);
        } else opts.write(`${r.error.message}${r.error.hint ? `\n${r.error.hint}` : ''}\n`);
      }
    }
    if (opts.interactive) opts.write('\n> ');
  }
  rl.close();
  return 0;
}
