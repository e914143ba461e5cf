/**
 * The local console: the same commands the bots offer, against the local database, with the
 * console user as moderator. Plain words ask (read by `ask`); when the answer is a question back,
 * typing a choice's number picks it; `pin` pins the last verdict or plan.
 * With piped input it answers each line and exits at the end of input.
 */
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import { commands } from '../../commands/index.js';
import { textReply, usage, type TextFrontEnd } from '../../commands/text.js';
import type { ClarifyChoice } from '../core/index.js';
import type { CommandContext, ModelLookup, Reply } from '../../commands/types.js';
import type { Catalog, Plan, Verdict } from '../core/index.js';
import { renderReply } from '../render/text.js';
import type { Store } from '../store/store.js';
import { runCli } from './cli.js';

export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  write: (s: string) => void;
  interactive: boolean;
  color: boolean;
  catalog: Catalog;
  store: Store;
  /** Learns models the catalog does not hold (the Hub, the Ollama registry); none when lookup is off. */
  lookup?: ModelLookup | undefined;
}

const BANNER = `whichgpu console: RTX 5090 or Mac Studio M4 Max?
Ask in plain words: "llama 3.3 70b q8 for coding, 8h a day at 30 cents", "qwen2.5-coder:32b quiet",
"flux image gen", "gpt-oss 120b vs m3 ultra". Then "pin" pins the answer, "verdicts" lists pins,
"settings" shows this server's defaults. "help" lists everything, "quit" leaves.\n`;

/** Splits a command line on spaces, keeping "quoted words" together. */
export function splitArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

const CLI_COMMANDS = new Set(['estimate', 'devices', 'models']);

/** `report` with nothing to read on its line (perhaps its machine, model and quant): the paste follows, up to a lone ".". */
const REPORT_BLOCK = /^report(?:\s+(?:machine|device|model|quant)[:=](?:"[^"]*"|'[^']*'|\S+))*\s*$/i;
const PASTE_PROMPT =
  'Paste the output (llama-bench, ollama run --verbose, LM Studio, mlx_lm), then a line with a single ".".';

/** The shared text grammar as the console reads it: "?" asks for help, pins are managed from text. */
export const CONSOLE_TEXT: TextFrontEnd = {
  helpWords: new Set(['help', '?']),
  managePins: true,
  settingsText: (args) => args.slice(args[0]?.toLowerCase() === 'set' ? 1 : 0).join(' '),
};

export async function runConsole(opts: ConsoleOptions): Promise<number> {
  const ctx: CommandContext = {
    catalog: opts.catalog,
    store: opts.store,
    platform: 'console',
    serverId: 'local',
    channelId: 'console',
    user: { id: safeUserName(), name: safeUserName() },
    canAdminister: async () => true,
    canModerate: async () => true,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  };
  /** The last verdict or plan shown: what `pin` pins. */
  let last: { verdict: Verdict } | { plan: Plan } | undefined;
  /** The choices of the last ask-back, picked by typing their number. */
  let choices: ClarifyChoice[] = [];
  let pins = 0;
  const show = (reply: Reply) => {
    if (reply.kind === 'verdict') last = { verdict: reply.verdict };
    if (reply.kind === 'plan') last = { plan: reply.plan };
    choices = reply.kind === 'clarify' ? reply.choices : [];
    opts.write(`${renderReply(reply, { color: opts.color })}\n`);
  };
  const rl = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
  if (opts.interactive) opts.write(`${BANNER}\n> `);
  /** The lines of a report being pasted, its `report ...` line first. */
  let pasting: string[] | undefined;
  const sendPaste = async () => {
    const text = pasting!.join('\n');
    pasting = undefined;
    show(await textReply(ctx, CONSOLE_TEXT, text, ['report']));
  };
  for await (const raw of rl) {
    if (pasting) {
      if (raw.trim() !== '.') {
        pasting.push(raw);
        continue;
      }
      await sendPaste();
      if (opts.interactive) opts.write('\n> ');
      continue;
    }
    const line = raw.trim();
    if (REPORT_BLOCK.test(line)) {
      pasting = [line];
      if (opts.interactive) opts.write(`${PASTE_PROMPT}\n`);
      continue;
    }
    if (line === 'quit' || line === 'exit') break;
    if (line !== '') {
      const words = splitArgs(line);
      const head = words[0]!.toLowerCase();
      const picked = /^\d{1,2}$/.test(line) ? choices[Number(line) - 1] : undefined;
      if (picked) {
        show(await commands.ask.execute(ctx, { question: picked.text }));
      } else if (head === 'pin') {
        if (!last) show(usage('Nothing to pin yet: ask a question first.'));
        else
          show(
            await commands.pin.execute(ctx, {
              channelId: 'console',
              messageId: `console-${Date.now()}-${++pins}`,
              ...last,
            }),
          );
      } else if (head === 'compare' || CLI_COMMANDS.has(head)) {
        await runCli(
          words,
          {
            stdout: (s) => opts.write(`${s}\n`),
            stderr: (s) => opts.write(`${s}\n`),
            stdin: opts.input,
            color: opts.color,
          },
          opts.catalog,
          opts.lookup,
        );
      } else {
        show(await textReply(ctx, CONSOLE_TEXT, line, words));
      }
    }
    if (opts.interactive) opts.write('\n> ');
  }
  // Input ended inside a paste: it is the report.
  if (pasting) await sendPaste();
  rl.close();
  return 0;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'console';
  } catch {
    return 'console';
  }
}
