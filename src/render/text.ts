/**
 * Verdict -> terminal text: a card with the headline, a side-by-side table, bar charts of decode
 * and prefill speed, cost lines, flags, caveats and sources. Pure; colour is the caller's choice.
 */
import { fmt, fmtBand, type DeviceEvaluation, type Verdict } from '../core/index.js';
import type { Reply } from '../../commands/types.js';

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

export function renderText(v: Verdict, opts: TextOptions): string {
  const bold = ansi(opts.color, '1');
  const dim = ansi(opts.color, '2');
  const green = ansi(opts.color, '32');
  const yellow = ansi(opts.color, '33');
  const out: string[] = [];
  const q = v.query;
  const mediaOnly = (q.workflow === 'image' || q.workflow === 'video') && q.modelInput === null;
  const title = mediaOnly
    ? `${q.workflow === 'image' ? 'Image' : 'Video'} generation · priority ${q.priority}`
    : v.model
      ? `${v.model.name} · ${q.quant} · ${Math.round(q.contextTokens / 1024)}k context · ${q.workflow} · priority ${q.priority}`
      : "Overview: the seed article's models, checked against physics";
  out.push(bold(title));
  out.push(green(`▶ ${v.verdict.headline}`));
  out.push('');

  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  if (v.overview) {
    for (const row of v.overview) {
      const cells = row.devices.map((c, i) => {
        const name = v.devices[i]!.shortName;
        const claim = c.reported ? dim(` (reported ${c.reported})`) : '';
        return c.decodeTokensPerSec === null
          ? `${name}: cannot run (${fmt.gb(c.requiredGB)} GB)${claim}`
          : `${name}: ~${fmt.tps(c.decodeTokensPerSec)} tok/s${c.fit === 'offload' ? ' (offload)' : ''}${claim}`;
      });
      out.push(`${bold(`${row.modelName} ${row.quant}`)}\n  ${cells.join('\n  ')}`);
    }
  } else {
    const llmRows: [string, string, string][] = mediaOnly
      ? []
      : [
          ['Memory', fitText(a), fitText(b)],
          [
            'Decode',
            speed(a.decodeTokensPerSec, a.decodeBand, 'tok/s'),
            speed(b.decodeTokensPerSec, b.decodeBand, 'tok/s'),
          ],
          [
            'Prefill',
            speed(a.prefillTokensPerSec, a.prefillBand, 'tok/s'),
            speed(b.prefillTokensPerSec, b.prefillBand, 'tok/s'),
          ],
          ...(q.promptTokens > 0
            ? [['First token', ttft(a, q.promptTokens), ttft(b, q.promptTokens)] as [string, string, string]]
            : []),
        ];
    const rows: [string, string, string][] = [
      ['', a.shortName, b.shortName],
      ...llmRows,
      [`${q.workflow}`, a.workflowSupport.level, b.workflowSupport.level],
      ['Power', `${a.power.loadW} W load`, `${b.power.loadW} W load`],
      [
        'Noise',
        `${a.noise.loadDbA.low}-${a.noise.loadDbA.high} dBA`,
        `${b.noise.loadDbA.low}-${b.noise.loadDbA.high} dBA`,
      ],
      ['Hardware', usd(a.priceUSD), usd(b.priceUSD)],
      ['Power/yr', fmt.usd(a.cost.electricityPerYearUSD), fmt.usd(b.cost.electricityPerYearUSD)],
      [`${q.years}-yr total`, usd(a.cost.totalUSD), usd(b.cost.totalUSD)],
    ];
    if (q.workflow === 'video') {
      for (const [i, vid] of a.video.entries())
        rows.push([
          vid.name,
          `${vid.level}${vid.fits ? '' : ' (too little memory)'}`,
          `${b.video[i]!.level}${b.video[i]!.fits ? '' : ' (too little memory)'}`,
        ]);
    }
    if (q.workflow === 'image') {
      for (const [i, img] of a.images.entries()) {
        const other = b.images[i]!;
        rows.push([
          img.name,
          img.secondsPerImage ? `${fmtBand(img.secondsPerImage, 's')}/img` : img.support,
          other.secondsPerImage ? `${fmtBand(other.secondsPerImage, 's')}/img` : other.support,
        ]);
      }
    }
    if (a.cost.breakEvenMonths || b.cost.breakEvenMonths) rows.push(['Break-even', months(a), months(b)]);
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    for (const [k, x, y] of rows) out.push(`${k.padEnd(w0)}  ${x.padEnd(w1)}  ${y}`);
    out.push('');
    const maxDecode = Math.max(a.decodeTokensPerSec ?? 0, b.decodeTokensPerSec ?? 0);
    const maxPrefill = Math.max(a.prefillTokensPerSec ?? 0, b.prefillTokensPerSec ?? 0);
    if (maxDecode > 0 && !mediaOnly) {
      out.push(dim('decode tok/s'));
      for (const e of [a, b])
        out.push(
          `${e.shortName.padEnd(14)} ${bar(e.decodeTokensPerSec ?? 0, maxDecode, 30).padEnd(30)} ${e.decodeTokensPerSec ? fmt.tps(e.decodeTokensPerSec) : '-'}`,
        );
      out.push(dim('prefill tok/s'));
      for (const e of [a, b])
        out.push(
          `${e.shortName.padEnd(14)} ${bar(e.prefillTokensPerSec ?? 0, maxPrefill, 30).padEnd(30)} ${e.prefillTokensPerSec ? fmt.tps(e.prefillTokensPerSec) : '-'}`,
        );
    }
  }
  out.push('');
  for (const r of v.verdict.reasons) out.push(`• ${r}`);
  for (const f of v.flags) {
    if (f.kind === 'seed-conflict')
      out.push(
        yellow(
          `⚠ Reported ${f.claim.split(' (')[0]} on ${f.device} by ${f.source.split(':')[0]}; physics says ${f.estimate}.`,
        ),
      );
    else out.push(yellow(`⚠ ${f.message}`));
  }
  for (const c of v.verdict.caveats) out.push(dim(`· ${c}`));
  for (const s of v.verdict.alsoConsider) out.push(`+ Also consider ${s.name}: ${s.why}`);
  out.push(
    dim(
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
  const s = e.timeToFirstTokenSec;
  return `${s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(1)} s`} for ${prompt} tok`;
}
function usd(b: { low: number; high: number }) {
  return b.low === b.high ? fmt.usd(b.low) : `${fmt.usd(b.low)}-${fmt.usd(b.high)}`;
}
function months(e: DeviceEvaluation) {
  const m = e.cost.breakEvenMonths;
  return m ? `${Math.round(m.low)}-${Math.round(m.high)} months` : 'never';
}

/** Any command reply as terminal text (the console's renderer for everything but raw JSON). */
export function renderReply(reply: Reply, opts: TextOptions): string {
  const dim = ansi(opts.color, '2');
  const yellow = ansi(opts.color, '33');
  switch (reply.kind) {
    case 'verdict': {
      const pinned = reply.existingPin
        ? `${yellow(`📌 A moderator pinned this question as #${reply.existingPin.id} on ${reply.existingPin.pinnedAt.slice(0, 10)}: ${reply.existingPin.headline}${reply.existingPin.stale ? ' (stale: the data changed since)' : ''}`)}\n\n`
        : '';
      const notes = reply.notes.length ? `\n${dim(`(${reply.notes.join('; ')})`)}` : '';
      return `${pinned}${renderText(reply.verdict, opts)}${notes}`;
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
        ? `Already pinned as #${reply.pin.id}.`
        : `Pinned as #${reply.pin.id}: ${reply.pin.headline}`;
    case 'refreshed':
      return `Refreshed #${reply.pin.id} with today's data:\n${reply.changes.map((c) => `  • ${c}`).join('\n')}`;
    case 'unpinned':
      return `Unpinned #${reply.pin.id}: ${reply.pin.headline}`;
    case 'settings': {
      const s = reply.settings;
      const head = reply.changed.length ? `Saved ${reply.changed.join(', ')}.\n` : '';
      return `${head}kwh_price=${s.kwh_price} hours=${s.hours} years=${s.years} workflow=${s.workflow} moderator_role=${s.moderator_role ?? 'none'}`;
    }
    case 'help':
      return reply.text;
    case 'error':
      return `${reply.error.message}${reply.error.hint ? `\n${reply.error.hint}` : ''}`;
  }
}
