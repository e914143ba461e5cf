/**
 * The wording every renderer shares, so Discord, Slack and the terminal say the same thing: pure
 * functions from verdict facts to plain strings. Each renderer only adds its own markup (bold,
 * emoji, colour). Number formats come from the core's one format module (src/core/verdict/format.ts:
 * the core's sentences print numbers too and the core may not import from here) and are re-exported.
 */
import {
  fmt,
  fmtBand,
  fmtMonths,
  fmtUsdBand,
  fmtWait,
  type DeviceEvaluation,
  type OverviewCell,
  type SeedConflictFlag,
  type Verdict,
} from '../core/index.js';

export { fmt, fmtBand, fmtDb, fmtMonths, fmtSec, fmtUsdBand, fmtWait } from '../core/index.js';

type ImageRow = DeviceEvaluation['images'][number];
type VideoRow = DeviceEvaluation['video'][number];

/** The context sizes offered by the context select. */
export const CONTEXT_CHOICES = [4096, 8192, 16384, 32768, 65536, 131072] as const;

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Text bar for a field: ▰ for the share of the larger value. */
export function miniBar(value: number, max: number, width = 10): string {
  if (!(max > 0) || !(value > 0)) return '▱'.repeat(width);
  const n = Math.max(1, Math.min(width, Math.round((value / max) * width)));
  return '▰'.repeat(n) + '▱'.repeat(width - n);
}

/** An image or video verdict asked without naming an LLM. */
export function isMediaOnly(v: Verdict): boolean {
  return (v.query.workflow === 'image' || v.query.workflow === 'video') && v.query.modelInput === null;
}

export function verdictTitle(v: Verdict): string {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  if (isMediaOnly(v))
    return `${q.workflow === 'image' ? 'Image' : 'Video'} generation: ${a.shortName} vs ${b.shortName}`;
  if (v.model)
    return `${v.model.name} · ${q.quant} · ${Math.round(q.contextTokens / 1024)}k context${kvCacheWords(q)} · ${q.workflow}`;
  return `${a.shortName} vs ${b.shortName}: the seed article's models, checked`;
}

/** "$3,058-$3,768 + $339/yr → $4,074-$4,784" (bold marks are the caller's). */
export function costParts(e: DeviceEvaluation): {
  hardware: string;
  perYear: string;
  total: string;
  breakEven: string;
} {
  const c = e.cost;
  return {
    ...hardwareCells(e),
    perYear: `${fmt.usd(c.electricityPerYearUSD)}/yr`,
    breakEven: c.breakEvenMonths ? `break-even ${fmtMonths(c.breakEvenMonths)}` : '',
  };
}

/**
 * Whether the model fits, for a chat message: "fits: 20.1 of 32.0 GB" (with the command that raises
 * a Mac's limit in `after`), "offload: ... in system RAM", or "needs ..., ... usable".
 */
export function memoryFit(e: DeviceEvaluation): { fit: DeviceEvaluation['fit']; text: string; after?: string } {
  const m = e.memory;
  if (e.fit === 'gpu')
    return {
      fit: e.fit,
      text: `fits: ${fmt.gb(m.requiredGB)} of ${fmt.gb(m.needsRaisedLimit ? m.raisedAvailableGB! : m.availableGB)} GB`,
      ...(m.needsRaisedLimit ? { after: m.sysctlTip } : {}),
    };
  if (e.fit === 'offload')
    return { fit: e.fit, text: `offload: ${fmt.gb(m.spillGB)} of ${fmt.gb(m.requiredGB)} GB in system RAM` };
  return {
    fit: e.fit,
    text: `needs ${fmt.gb(m.requiredGB)} GB, ${fmt.gb(m.raisedAvailableGB ?? m.availableGB)} GB usable`,
  };
}

/** "First token (2000 tok): 850 ms", or null without a prompt or a figure. */
export function firstTokenLine(e: DeviceEvaluation, promptTokens: number): string | null {
  if (e.timeToFirstTokenSec === null || promptTokens <= 0) return null;
  return `First token (${promptTokens} tok): ${fmtWait(e.timeToFirstTokenSec)}`;
}

/** "2.1-2.8 s/image", or the support level when no public figure exists. */
export function imageSpeed(img: ImageRow, per = 'image'): string {
  return img.secondsPerImage ? `${fmtBand(img.secondsPerImage, 's')}/${per}` : img.support;
}

/** "good", or "good (too little memory)". */
export function videoLevel(vid: VideoRow): string {
  return `${vid.level}${vid.fits ? '' : ' (too little memory)'}`;
}

const METHOD_LABEL = { qlora: 'QLoRA', lora: 'LoRA', full: 'Full FT' } as const;

/** Serving rows, one per level: "~91 tok/s each, ~1,460 in all", or why that many do not fit. */
export function servingRows(e: DeviceEvaluation): { label: string; text: string }[] {
  const s = e.serving;
  if (!s) return [];
  if (s.levels.length === 0) return [{ label: 'Serving', text: 'not wholly in GPU memory' }];
  return s.levels.map((l) => ({
    label: `${l.concurrency} user${l.concurrency === 1 ? '' : 's'}`,
    text: l.fits
      ? l.concurrency === 1
        ? `~${fmt.tps(l.perUserTokensPerSec)} tok/s`
        : `~${fmt.tps(l.perUserTokensPerSec)} each, ~${fmt.tps(l.aggregateTokensPerSec)} in all`
      : `KV does not fit (${fmt.gb(l.kvGB)} GB)`,
  }));
}

/** Fine-tuning rows, one per method: "~1,700 tok/s, 1.6 h/epoch", "fits (7.3 GB)", or why not. */
export function fineTuneRows(e: DeviceEvaluation): { label: string; text: string }[] {
  if (!e.fineTuneRun) return [];
  return e.fineTune.map((f) => ({
    label: METHOD_LABEL[f.method],
    text: !f.supported
      ? 'no tooling'
      : !f.fits
        ? `needs ${fmt.gb(f.memoryGB)} GB`
        : f.tokensPerSec !== null && f.hoursPerEpoch !== null
          ? `~${fmt.tps(f.tokensPerSec)} tok/s, ${fmt.hours(f.hoursPerEpoch)} h/epoch`
          : `fits (${fmt.gb(f.memoryGB)} GB)`,
  }));
}

/** "~710 W in use (measured), 725 W load": what the workflow draws at the wall beside the rated figure. */
export function powerText(e: DeviceEvaluation): string {
  const main = Object.entries(e.power.inUse.shares).sort((x, y) => y[1] - x[1])[0]?.[0] as
    keyof DeviceEvaluation['power']['activities'] | undefined;
  const measured = main && e.power.activities[main].basis === 'measured' ? ' (measured)' : '';
  return `~${fmt.watts(e.power.inUse.watts)} W in use${measured}, ${e.power.loadW} W load`;
}

/** "1.05 kWh ($0.17) per million tokens", or null when it generates none. */
export function energyText(e: DeviceEvaluation): string | null {
  const c = e.cost;
  if (c.kWhPerMillionTokens === null || c.electricityPerMillionTokensUSD === null) return null;
  return `${c.kWhPerMillionTokens.toFixed(2)} kWh ($${c.electricityPerMillionTokensUSD.toFixed(2)}) per M tokens`;
}

/** "58-62 dBA" under load. */
export const noiseRange = (e: DeviceEvaluation) => `${e.noise.loadDbA.low}-${e.noise.loadDbA.high} dBA`;

/** One overview cell without its reported figure (whose markup is the renderer's). */
export function overviewCell(c: OverviewCell, name: string): string {
  return c.decodeTokensPerSec === null
    ? `${name}: cannot run (${fmt.gb(c.requiredGB)} GB)`
    : `${name}: ~${fmt.tps(c.decodeTokensPerSec)} tok/s${c.fit === 'offload' ? ' (offload)' : ''}`;
}

export const seedConflicts = (v: Verdict) => v.flags.filter((f): f is SeedConflictFlag => f.kind === 'seed-conflict');

/** "rtx-5090: claimed 95 tok/s (Compute Market); physics: ~190 tok/s (band 160-230 tok/s)". */
export function conflictLine(f: SeedConflictFlag): string {
  return `${f.device}: claimed ${f.facts.claimed} (${f.facts.publisher}); physics: ${f.estimate}`;
}

/** The caveats a chat message lists: the flags other than conflicts, the verdict's caveats, the caller's notes. */
export function caveatLines(v: Verdict, notes: readonly string[] = []): string[] {
  return [
    ...v.flags.map((f) => (f.kind === 'seed-conflict' ? null : f.message)).filter((m): m is string => m !== null),
    ...v.verdict.caveats,
    ...notes,
  ];
}

export const footerText = (v: Verdict) =>
  `data ${v.dataVersion} · speeds and memory: estimates from a model calibrated on measured runs · "reported": quoted with source`;

/** The quants the quant select offers: the current one first, at most `max`. */
export const quantChoices = (v: Verdict, quants: readonly string[], max: number) =>
  [...new Set([v.query.quant, ...quants])].slice(0, max);

/** The context sizes the model supports. */
export const contextChoices = (v: Verdict) => CONTEXT_CHOICES.filter((c) => c <= v.model!.maxContext);

/** An error reply's words: the message, and its hint on the next line when there is one. */
export const errorText = (error: { message: string; hint?: string | undefined }) =>
  `${error.message}${error.hint ? `\n${error.hint}` : ''}`;

/** The answer to 📌 on a message that is already the pin. */
export const alreadyPinnedText = (pinId: number) => `Already pinned as #${pinId}.`;

/** A refreshed pin and what changed, one "• " line each; `indent` before each bullet (the terminal's two spaces). */
export const refreshedText = (pinId: number, changes: readonly string[], indent = '') =>
  `Refreshed #${pinId} with today's data:\n${changes.map((c) => `${indent}• ${c}`).join('\n')}`;

/** An ask-back's wording on every surface: the question, then how to answer it. */
export const clarifyText = (question: string) => `🤔 ${question}`;
/** Under an ask-back whose choices are buttons. */
export const CLARIFY_PICK = 'Pick one, or ask again in your own words.';
/** Under an ask-back without buttons (the terminal, or when its choices could not be stored). */
export const clarifyChoiceLines = (choices: readonly { label: string; text: string }[], typeNumber: boolean) =>
  choices.map((c, i) => (typeNumber ? `  ${i + 1}. ${c.label}` : `• ${c.label}: "${c.text}"`));
/** What to do with a numbered list of choices. */
export const CLARIFY_TYPE_NUMBER = 'Type a number to pick one, or ask again in your own words.';
/** What to do with choices listed without buttons. */
export const CLARIFY_ASK_AGAIN = 'Ask again with the one you mean.';

/** "> the question" as a one-line quote of at most `max` characters (a reply to someone else's message starts with it). */
export const quoteLine = (text: string, max = 200) => `> ${truncate(text.replace(/\s+/g, ' ').trim(), max)}`;

/** Hardware and total cost as cells; a machine without a price says so instead of "$0". */
export function hardwareCells(e: DeviceEvaluation): { hardware: string; total: string } {
  if (e.priceUSD.high > 0) return { hardware: fmtUsdBand(e.cost.hardwareUSD), total: fmtUsdBand(e.cost.totalUSD) };
  return { hardware: 'price unknown', total: `${fmtUsdBand(e.cost.totalUSD)} + hardware` };
}

/** " (q8_0 KV cache)" after the context when the cache is quantized; nothing for the default f16. */
export const kvCacheWords = (q: { kvCache?: string }) =>
  q.kvCache && q.kvCache !== 'f16' ? ` (${q.kvCache} KV cache)` : '';
