/**
 * The one text grammar, for Slack's `/whichgpu <text>` and the console: help, pins (also typed
 * "verdicts"), settings [set k=v ...], plan <text>, report <paste> and reports (community reports), or a
 * question in free text, read by `ask`. Each front end splits its line
 * into words, says which words ask for help and whether pins can be managed from text, and may
 * check a settings change first (Slack resolves a user group).
 */
import { commands } from './index.js';
import { reportOfText, reportsOfText } from './report.js';
import { parseSettingPairs } from './settings.js';
import type { CommandContext, Reply } from './types.js';

export interface TextFrontEnd {
  /** Lower-case first words that ask for help (Slack: an empty line too; the console: "?"). */
  helpWords: ReadonlySet<string>;
  /** `pins refresh N` and `pins unpin N` understood (the console; Slack offers a menu on each pin). */
  managePins: boolean;
  /** The settings text after "settings": the console drops a lone "set", Slack only "set " before pairs. */
  settingsText: (args: string[]) => string;
  /** Checks or rewrites parsed pairs before they are applied; an error Reply refuses them. */
  settingPairs?: (
    ctx: CommandContext,
    set: Record<string, string>,
  ) => Promise<{ ok: true; set: Record<string, string> } | { ok: false; reply: Reply }>;
}

/** A refusal of what was typed, with the words to type instead. */
export const usage = (message: string): Reply => ({ kind: 'error', error: { code: 'INVALID_QUERY', message } });

/** The reply to one line of text; `words` is the line split the front end's way. */
export async function textReply(ctx: CommandContext, fe: TextFrontEnd, line: string, words: string[]): Promise<Reply> {
  const head = (words[0] ?? '').toLowerCase();
  const args = words.slice(1);
  if (fe.helpWords.has(head)) return commands.help.execute();
  if (head === 'pins' || head === 'verdicts') {
    const [sub, arg] = [args[0]?.toLowerCase(), args[1]];
    const input =
      fe.managePins && (sub === 'refresh' || sub === 'unpin')
        ? { action: sub, id: arg }
        : { action: 'list', page: args[0] ?? 1 };
    const parsed = commands.pins.schema.safeParse(input);
    return parsed.success ? commands.pins.execute(ctx, parsed.data) : usage(parsed.error.issues[0]!.message);
  }
  if (head === 'settings') {
    const pairs = parseSettingPairs(fe.settingsText(args));
    if (!pairs.ok) return usage(pairs.message);
    const checked = fe.settingPairs ? await fe.settingPairs(ctx, pairs.set) : pairs;
    return checked.ok ? commands.settings.execute(ctx, { set: checked.set }) : checked.reply;
  }
  if (head === 'report' || head === 'reports') {
    // The paste keeps its lines: what follows the first word, as typed.
    const read = head === 'report' ? reportOfText(line.replace(/^\s*report\b/i, '')) : reportsOfText(args);
    return read.ok ? commands.report.execute(ctx, read.input) : read.reply;
  }
  if (head === 'plan') {
    const parsed = commands.plan.schema.safeParse({ text: args.join(' ') });
    return parsed.success ? commands.plan.execute(ctx, parsed.data) : usage(parsed.error.issues[0]!.message);
  }
  const question = commands.ask.schema.safeParse({ question: line });
  return question.success ? commands.ask.execute(ctx, question.data) : usage(question.error.issues[0]!.message);
}
