/**
 * Compare's options from each front end to one compare input, through the one table in the core
 * (src/core/query/options.ts): the slash-command options (Discord) and the CLI flags. Free text's
 * `key=value` pairs read the same table inside `understand`.
 */
import { COMPARE_OPTIONS, type CompareOption } from '../src/core/index.js';

const BY_OPTION = new Map(COMPARE_OPTIONS.filter((o) => o.option).map((o) => [o.option!, o]));
const BY_FLAG = new Map(COMPARE_OPTIONS.map((o) => [o.flag, o]));

const isNumeric = (o: CompareOption) => o.value === 'number' || o.value === 'tokens';

/** Slash-command options -> compare input fields; an unknown option or a value of another type is ignored. */
export function compareInputOfOptions(options: Record<string, unknown>): Record<string, string | number> {
  const input: Record<string, string | number> = {};
  for (const name in options) {
    const o = BY_OPTION.get(name);
    const v = options[name];
    if (o && typeof v === (isNumeric(o) ? 'number' : 'string')) input[o.key] = v as string | number;
  }
  return input;
}

/** How a front end reads an option's text (the CLI throws its usage error on a bad number). */
export interface TextReaders {
  number: (text: string, flag: string) => number;
  tokens: (text: string, flag: string) => number;
}

/** CLI flag values (by flag name, without dashes) -> compare input fields, in the table's order. */
export function compareInputOfFlags(
  values: Record<string, string | boolean | undefined>,
  read: TextReaders,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const o of COMPARE_OPTIONS) {
    const text = values[o.flag];
    if (typeof text !== 'string') continue;
    const flag = `--${o.flag}`;
    input[o.key] =
      o.value === 'tokens'
        ? read.tokens(text, flag)
        : o.value === 'number'
          ? read.number(text, flag)
          : o.value === 'word'
            ? text.toLowerCase()
            : text;
  }
  return input;
}

/** The CLI's compare flags for node:util parseArgs (all read as strings). */
export const COMPARE_FLAGS: Record<string, { type: 'string' }> = Object.fromEntries(
  [...BY_FLAG.keys()].map((flag) => [flag, { type: 'string' as const }]),
);
