/**
 * The local console: type `compare --model ...`, a bare model reference, `help` or `quit`.
 * With piped input it answers each line and exits at the end of input.
 */
import { createInterface } from 'node:readline';
import { loadCatalog } from '../catalog/load.js';
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
Type a model (e.g. "llama-3.3-70b", "qwen2.5-coder:32b"), or "compare --model X --workflow coding",
"help" for all options, "quit" to leave.\n`;

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
        const r = compare(catalog, { model: line });
        opts.write(r.ok ? `${renderText(r.value, { color: opts.color })}\n` : `${r.error.message}${r.error.hint ? `\n${r.error.hint}` : ''}\n`);
      }
    }
    if (opts.interactive) opts.write('\n> ');
  }
  rl.close();
  return 0;
}
