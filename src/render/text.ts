/**
 * Verdict -> terminal text: a card with the headline, a side-by-side table, bar charts of decode
 * and prefill speed, cost lines, flags, caveats and sources. Pure; colour is the caller's choice.
 */
import type { DeviceEvaluation, Verdict } from '../core/index.js';
import {
  alreadyPinnedText,
  CLARIFY_TYPE_NUMBER,
  clarifyChoiceLines,
  clarifyText,
  errorText,
  refreshedText,
  fmt,
  fmtBand,
  fmtMonths,
  hardwareCells,
  fmtWait,
  imageSpeed,
  isMediaOnly,
  kvCacheWords,
  noiseRange,
  overviewCell,
  energyText,
  fineTuneRows,
  powerText,
  servingRows,
  videoLevel,
} from './shared.js';
import { planPinnedNotice, planText } from './plan-lines.js';
import type { Reply } from '../../commands/types.js';
import { communityLines, textReport } from './reports.js';

export interface TextOptions {
  color: boolean;
  width?: number;
}

const ansi = (on: boolean, code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const n = Math.max(1, Math.round((value / max) * width));
  return '█'.repeat(Math.min(n, width));
}

function fitText(e: DeviceEvaluation): string {
  const m = e.memory;
  const usable = m.raisedAvailableGB ?? m.availableGB;
  if (e.fit === 'gpu')
    return `fits: ${fmt.gb(m.requiredGB)} / ${fmt.gb(m.needsRaisedLimit ? usable : m.availableGB)} GB${m.needsRaisedLimit ? ' (raised limit)' : ''}`;
  if (e.fit === 'offload') return `offload: ${fmt.gb(m.spillGB)} GB to RAM`;
  return `no: ${fmt.gb(m.requiredGB)} > ${fmt.gb(usable)} GB`;
}

interface Paint {
  bold: (s: string) => string;
  dim: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
}
const paint = (on: boolean): Paint => ({
  bold: ansi(on, '1'),
  dim: ansi(on, '2'),
  green: ansi(on, '32'),
  yellow: ansi(on, '33'),
});
type TableRow = [string, string, string];

function titleOf(v: Verdict): string {
  const q = v.query;
  if (isMediaOnly(v)) return `${q.workflow === 'image' ? 'Image' : 'Video'} generation · priority ${q.priority}`;
  if (v.model)
    return `${v.model.name} · ${q.quant} · ${Math.round(q.contextTokens / 1024)}k context${kvCacheWords(q)} · ${q.workflow} · priority ${q.priority}`;
  return "Overview: the seed article's models, checked against physics";
}

function overviewLines(v: Verdict, p: Paint): string[] {
  return v.overview!.map((row) => {
    const cells = row.devices.map(
      (c, i) => `${overviewCell(c, v.devices[i]!.shortName)}${c.reported ? p.dim(` (reported ${c.reported})`) : ''}`,
    );
    return `${p.bold(`${row.modelName} ${row.quant}`)}\n  ${cells.join('\n  ')}`;
  });
}

/** The side-by-side table: memory and speeds (unless media only), support, power, cost, media rows. */
function tableRows(v: Verdict): TableRow[] {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  const both = (label: string, f: (e: DeviceEvaluation) => string): TableRow => [label, f(a), f(b)];
  // Serving and fine-tuning answer in their own figures, not one stream's decode.
  const ownRows = (rowsOf: typeof servingRows): TableRow[] =>
    rowsOf(a).map((r, i) => [r.label, r.text, rowsOf(b)[i]?.text ?? '-']);
  const speedRows: TableRow[] =
    q.workflow === 'serving'
      ? ownRows(servingRows)
      : q.workflow === 'fine-tune'
        ? ownRows(fineTuneRows)
        : [
            both('Decode', (e) => speed(e.decodeTokensPerSec, e.decodeBand, 'tok/s')),
            both('Prefill', (e) => speed(e.prefillTokensPerSec, e.prefillBand, 'tok/s')),
            ...(q.promptTokens > 0 ? [both('First token', (e) => ttft(e, q.promptTokens))] : []),
          ];
  const llmRows: TableRow[] = isMediaOnly(v) ? [] : [both('Memory', fitText), ...speedRows];
  const energy = q.workflow !== 'fine-tune' && !isMediaOnly(v) && (energyText(a) || energyText(b));
  const rows: TableRow[] = [
    ['', a.shortName, b.shortName],
    ...llmRows,
    both(`${q.workflow}`, (e) => e.workflowSupport.level),
    both('Power', powerText),
    ...(energy ? [both('Energy', (e) => energyText(e) ?? '-')] : []),
    both('Noise', noiseRange),
    both('Hardware', (e) => hardwareCells(e).hardware),
    both('Power/yr', (e) => fmt.usd(e.cost.electricityPerYearUSD)),
    both(`${q.years}-yr total`, (e) => hardwareCells(e).total),
  ];
  if (q.workflow === 'video')
    for (const [i, vid] of a.video.entries()) rows.push([vid.name, videoLevel(vid), videoLevel(b.video[i]!)]);
  if (q.workflow === 'image')
    for (const [i, img] of a.images.entries())
      rows.push([img.name, imageSpeed(img, 'img'), imageSpeed(b.images[i]!, 'img')]);
  if (a.cost.breakEvenMonths || b.cost.breakEvenMonths) rows.push(both('Break-even', months));
  return rows;
}

function barLines(v: Verdict, p: Paint): string[] {
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  const maxDecode = Math.max(a.decodeTokensPerSec ?? 0, b.decodeTokensPerSec ?? 0);
  const maxPrefill = Math.max(a.prefillTokensPerSec ?? 0, b.prefillTokensPerSec ?? 0);
  const own = v.query.workflow === 'serving' || v.query.workflow === 'fine-tune';
  if (!(maxDecode > 0) || isMediaOnly(v) || own) return [];
  const line = (e: DeviceEvaluation, x: number | null, max: number) =>
    `${e.shortName.padEnd(14)} ${bar(x ?? 0, max, 30).padEnd(30)} ${x ? fmt.tps(x) : '-'}`;
  return [
    p.dim('decode tok/s'),
    ...[a, b].map((e) => line(e, e.decodeTokensPerSec, maxDecode)),
    p.dim('prefill tok/s'),
    ...[a, b].map((e) => line(e, e.prefillTokensPerSec, maxPrefill)),
  ];
}

function comparisonLines(v: Verdict, p: Paint): string[] {
  const rows = tableRows(v);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const bars = barLines(v, p);
  return [...rows.map(([k, x, y]) => `${k.padEnd(w0)}  ${x.padEnd(w1)}  ${y}`), ...(bars.length ? ['', ...bars] : [])];
}

export function renderText(v: Verdict, opts: TextOptions): string {
  const p = paint(opts.color);
  const out: string[] = [p.bold(titleOf(v)), p.green(`▶ ${v.verdict.headline}`), ''];
  out.push(...(v.overview ? overviewLines(v, p) : comparisonLines(v, p)));
  out.push('');
  for (const r of v.verdict.reasons) out.push(`• ${r}`);
  for (const f of v.flags) {
    if (f.kind === 'seed-conflict')
      out.push(
        p.yellow(`⚠ Reported ${f.facts.claimed} on ${f.device} by ${f.facts.publisher}; physics says ${f.estimate}.`),
      );
    else out.push(p.yellow(`⚠ ${f.message}`));
  }
  for (const c of v.verdict.caveats) out.push(p.dim(`· ${c}`));
  for (const s of v.verdict.alsoConsider) out.push(`+ Also consider ${s.name}: ${s.why}`);
  out.push(
    p.dim(
      `data ${v.dataVersion} · speeds and memory are estimates from a calibrated model; "reported" figures are quoted with their source`,
    ),
  );
  return out.join('\n');
}

function speed(x: number | null, band: { low: number; high: number } | null, unit: string) {
  if (x === null || band === null) return '-';
  return `~${fmt.tps(x)} (${fmtBand(band, unit)})`;
}
function ttft(e: DeviceEvaluation, prompt: number) {
  if (e.timeToFirstTokenSec === null) return '-';
  return `${fmtWait(e.timeToFirstTokenSec)} for ${prompt} tok`;
}
function months(e: DeviceEvaluation) {
  const m = e.cost.breakEvenMonths;
  return m ? fmtMonths(m) : 'never';
}

/** Any command reply as terminal text (the console's renderer for everything but raw JSON). */
export function renderReply(reply: Reply, opts: TextOptions): string {
  const dim = ansi(opts.color, '2');
  const yellow = ansi(opts.color, '33');
  switch (reply.kind) {
    case 'plan': {
      const notes = reply.notes.length ? `\n${dim(`(${reply.notes.join('; ')})`)}` : '';
      const pinned = reply.existingPin ? `${yellow(`📌 ${planPinnedNotice(reply.existingPin)}`)}\n\n` : '';
      const community = communityLines(reply.community)
        .map((l) => `\n📏 ${l}`)
        .join('');
      return `${pinned}${planText(reply.plan, (id) => reply.plan.modelNames[id] ?? id)}${community}${notes}`;
    }
    case 'verdict': {
      const pinned = reply.existingPin
        ? `${yellow(`📌 A moderator pinned this question as #${reply.existingPin.id} on ${reply.existingPin.pinnedAt.slice(0, 10)}: ${reply.existingPin.headline}${reply.existingPin.stale ? ' (stale: the data changed since)' : ''}`)}\n\n`
        : '';
      const notes = reply.notes.length ? `\n${dim(`(${reply.notes.join('; ')})`)}` : '';
      const community = communityLines(reply.community)
        .map((l) => `\n📏 ${l}`)
        .join('');
      return `${pinned}${renderText(reply.verdict, opts)}${community}${notes}`;
    }
    case 'pins': {
      const { page } = reply;
      if (page.total === 0) return 'No pinned verdicts yet. Ask a question, then type "pin" to pin the answer.';
      const lines = page.items.map(
        (p) =>
          `#${String(p.id).padEnd(4)} ${p.headline}\n      pinned by ${p.pinnedBy} on ${p.pinnedAt.slice(0, 10)}${p.stale ? yellow(' · stale: data changed, refresh it') : ''}`,
      );
      const more =
        page.pages > 1
          ? `\n${dim(`page ${page.page} of ${page.pages} · verdicts ${Math.min(page.page + 1, page.pages)} for more`)}`
          : '';
      const mod = reply.canModerate ? `\n${dim('verdicts refresh <id> · verdicts unpin <id>')}` : '';
      return `${page.total} pinned verdict${page.total === 1 ? '' : 's'}, newest first\n${lines.join('\n')}${more}${mod}`;
    }
    case 'pinned':
      return reply.alreadyPinned
        ? alreadyPinnedText(reply.pin.id)
        : `Pinned as #${reply.pin.id}: ${reply.pin.headline}`;
    case 'refreshed':
      return refreshedText(reply.pin.id, reply.changes, '  ');
    case 'unpinned':
      return `Unpinned #${reply.pin.id}: ${reply.pin.headline}`;
    case 'settings': {
      const s = reply.settings;
      const head = reply.changed.length ? `Saved ${reply.changed.join(', ')}.\n` : '';
      return `${head}kwh_price=${s.kwh_price} hours=${s.hours} years=${s.years} workflow=${s.workflow} moderator_role=${s.moderator_role ?? 'none'}`;
    }
    case 'help':
      return reply.text;
    case 'clarify':
      return [clarifyText(reply.question), ...clarifyChoiceLines(reply.choices, true), dim(CLARIFY_TYPE_NUMBER)].join(
        '\n',
      );
    case 'error':
      return errorText(reply.error);
    case 'report':
      return textReport(reply.report);
  }
}
