/**
 * Compare's options, named once: the input field each fills, its name as a slash-command option
 * (Discord), a CLI flag (--kebab-case) and a typed `key=value` pair, and how its text is read.
 * commands/options.ts, the CLI and `understand` all read this table.
 */

/** How an option's value is read from text: as typed, lower-cased, a number, or tokens ("32k"). */
export type OptionValue = 'text' | 'word' | 'number' | 'tokens';

export interface CompareOption {
  /** The CompareInput field it fills. */
  key: string;
  value: OptionValue;
  /** The slash-command option name (Discord); none when only the CLI offers it. */
  option?: string;
  /** The CLI flag, without its dashes. */
  flag: string;
  /** Typed in free text as `name=value` or `name: value`. */
  keyed?: boolean;
}

/** In the order the CLI reads its flags (the first bad one is the one reported). */
export const COMPARE_OPTIONS: readonly CompareOption[] = [
  { key: 'model', value: 'text', option: 'model', flag: 'model', keyed: true },
  { key: 'quant', value: 'text', option: 'quant', flag: 'quant', keyed: true },
  { key: 'contextTokens', value: 'tokens', option: 'context', flag: 'context' },
  { key: 'workflow', value: 'word', option: 'workflow', flag: 'workflow', keyed: true },
  { key: 'priority', value: 'word', option: 'priority', flag: 'priority', keyed: true },
  { key: 'device', value: 'text', flag: 'device', keyed: true },
  { key: 'against', value: 'text', option: 'against', flag: 'against', keyed: true },
  { key: 'hoursPerDay', value: 'number', option: 'hours', flag: 'hours' },
  { key: 'kwhPrice', value: 'number', option: 'kwh_price', flag: 'kwh-price' },
  { key: 'years', value: 'number', option: 'years', flag: 'years' },
  { key: 'tokensPerDay', value: 'tokens', option: 'tokens_per_day', flag: 'tokens-per-day' },
  { key: 'apiPricePerMTok', value: 'number', option: 'api_price', flag: 'api-price' },
  { key: 'promptTokens', value: 'tokens', flag: 'prompt-tokens' },
  { key: 'imageSteps', value: 'number', flag: 'steps' },
  { key: 'imageResolution', value: 'number', flag: 'resolution' },
  { key: 'kvCache', value: 'word', flag: 'kv-cache' },
  { key: 'datasetTokens', value: 'tokens', flag: 'dataset-tokens' },
];

/** `key=value` names in free text -> the input field (the text's keyed pairs are taken as typed). */
export const KEYED_OPTIONS: ReadonlyMap<string, string> = new Map(
  COMPARE_OPTIONS.filter((o) => o.keyed).map((o) => [o.key, o.key]),
);
