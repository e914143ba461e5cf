/**
 * A plan in words, written once for every surface: a headline, a line per pick, what only one
 * machine runs, and what an upgrade adds. Discord, Slack and the terminal lay these out.
 */
import type { PinView } from '../../commands/types.js';
import type { Plan, PlanDevice, PlanPick } from '../core/index.js';
import { fmt, fmtUsdBand } from './shared.js';

const tps = (x: number | null) => (x === null ? '-' : x >= 100 ? String(Math.round(x)) : x.toFixed(x >= 10 ? 0 : 1));

/** "Plan · coding · 32k context · 8+ tok/s, all in GPU memory"; a media or fine-tuning plan says what it holds to. */
export function planTitle(p: Plan): string {
  const w = p.query.workflow;
  if (w === 'image' || w === 'video')
    return `Plan · ${w} · each model's default steps and size · whole pipeline in memory`;
  if (w === 'fine-tune') return 'Plan · fine-tune · LoRA or QLoRA in memory';
  const ctx = p.query.contextTokens ? `${fmt.kTokens(p.query.contextTokens)} context` : 'the workflow’s context';
  return `Plan · ${w} · ${ctx} · ${p.query.minTokensPerSec}+ tok/s${p.query.allowOffload ? ', offload allowed' : ', all in GPU memory'}`;
}

/** "~12 s" or "~3.4 min" for a generation time. */
export function secondsText(x: number): string {
  if (x >= 7200) return `${(x / 3600).toFixed(x >= 36000 ? 0 : 1)} h`;
  if (x >= 120) return `${(x / 60).toFixed(x >= 600 ? 0 : 1)} min`;
  return `${x >= 10 ? Math.round(x) : x.toFixed(1)} s`;
}

/** A pick's speed in its workflow's unit: tok/s with its band, seconds per image or clip with its band, or none. */
export function pickSpeed(p: PlanPick): string | null {
  const g = p.generation;
  if (g) return `~${secondsText(g.seconds)}/${g.unit} (${secondsText(g.band.low)}-${secondsText(g.band.high)})`;
  if (p.decodeTokensPerSec === null) return null;
  const band = p.decodeBand ? ` (${tps(p.decodeBand.low)}-${tps(p.decodeBand.high)})` : '';
  return `~${tps(p.decodeTokensPerSec)} tok/s${band}`;
}

/** One machine's heading: its name, its role, and how many models it cannot run at the targets. */
export function planDeviceHeading(d: PlanDevice): string {
  const role = d.role === 'current' ? ' (yours)' : d.role === 'candidate' ? ' (candidate)' : '';
  const budget = d.overBudget ? ' · over the budget' : '';
  return `${d.shortName}${role}${budget}`;
}

/** "Gemma 3 27B Q8_0 · ~44 tok/s (38-56) · 31.3 GB · LMArena 1365 (2025-12)"; an image pick in seconds per image. */
export function pickLine(p: PlanPick, rank: number): string {
  const quality = p.quality ? `${p.quality.benchmark} ${p.quality.score} (${p.quality.date})` : 'no public score';
  const speed = pickSpeed(p);
  return `${rank}. ${p.model.name} ${p.quant}${speed ? ` · ${speed}` : ''} · ${fmt.gb(p.memoryGB)} GB · ${quality}`;
}

/** What a machine with no picks says instead. */
export const NO_PICKS = 'nothing in the catalog runs here at these targets';

/** What only one machine runs, a line per machine. */
export function onlyOnLines(p: Plan, nameOf: (modelId: string) => string): string[] {
  const short = new Map(p.devices.map((d) => [d.id, d.shortName]));
  return Object.entries(p.onlyOn).map(
    ([id, models]) =>
      `Only ${short.get(id) ?? id} runs: ${models.slice(0, 6).map(nameOf).join(', ')}${models.length > 6 ? ` and ${models.length - 6} more` : ''}.`,
  );
}

/** What each upgrade candidate adds over the machine one has, a line per candidate. */
export function upgradeLines(p: Plan, nameOf: (modelId: string) => string): string[] {
  if (!p.upgrade) return [];
  const short = new Map(p.devices.map((d) => [d.id, d.shortName]));
  const from = p.upgrade.from;
  return p.upgrade.candidates.map((c) => {
    const faster = c.faster
      .slice(0, 3)
      .map((f) =>
        f.unit === 'tok/s'
          ? `${nameOf(f.model)} ${tps(f.from)} → ${tps(f.to)} tok/s`
          : `${nameOf(f.model)} ${secondsText(f.from)} → ${secondsText(f.to)} per ${f.unit === 's/clip' ? 'clip' : 'image'}`,
      )
      .join(', ');
    const reach = c.newlyInReach.slice(0, 5).map(nameOf).join(', ');
    return `${short.get(c.id) ?? c.id} over ${short.get(from) ?? from}: ${faster ? `speed on your picks (${faster})` : 'no common picks'}; ${c.newlyInReach.length ? `${c.newlyInReach.length} model${c.newlyInReach.length === 1 ? '' : 's'} newly in reach (${reach})` : 'nothing newly in reach'}; hardware ${fmtUsdBand(c.hardwareUSD)}${c.netUSD ? ` (${fmtUsdBand(c.netUSD)} after selling yours)` : ''}; electricity ~$${Math.round(c.electricityPerYearUSD[1])}/yr vs ~$${Math.round(c.electricityPerYearUSD[0])}/yr.`;
  });
}

/** What only one machine runs, and the upgrade's gains, as short lines. */
export function planFooterLines(p: Plan, nameOf: (modelId: string) => string): string[] {
  return [...onlyOnLines(p, nameOf), ...upgradeLines(p, nameOf)];
}

/** The whole plan as plain lines (the terminal's rendering, and the fallback everywhere). */
export function planText(p: Plan, nameOf: (modelId: string) => string): string {
  const blocks = p.devices.map((d) => {
    const picks = d.picks.length
      ? d.picks.map((pick, i) => `  ${pickLine(pick, i + 1)}\n     ${pick.run}`).join('\n')
      : `  ${NO_PICKS}`;
    return `${planDeviceHeading(d)}\n${picks}`;
  });
  return [`${planTitle(p)}\n${p.headline}`, ...blocks, ...planFooterLines(p, nameOf), `(${p.notes.join('; ')})`].join(
    '\n\n',
  );
}

/** The notice on a plan a moderator pinned in this server (the same machines, roles and targets). */
export function planPinnedNotice(pin: PinView): string {
  return `A moderator pinned this plan as #${pin.id} on ${pin.pinnedAt.slice(0, 10)}${pin.stale ? ' (data changed since)' : ''}`;
}

/** The Pin button's label on a plan, both platforms. */
export const PIN_PLAN_LABEL = 'Pin plan';

/** A plan's own names for the model ids it mentions outside its picks. */
export const planModelName = (p: Plan) => (modelId: string) => p.modelNames[modelId] ?? modelId;
