/**
 * Verdicts and command replies as Slack Block Kit, always with a top-level `text` fallback for
 * notifications. Within Slack's limits (50 blocks, section text 3000, 10 fields of 2000, header
 * 150, context 10 elements, button text 75, option text 75, action/block ids 255, 100 options).
 * Pure: tests check every output against the limits.
 */
import type { PinView } from '../../commands/types.js';
import { fmt, fmtBand, type DeviceEvaluation, type Verdict } from '../core/index.js';
import type { ServerSettings } from '../store/settings-schema.js';
import type { Page } from '../store/store.js';
import { costParts, isMediaOnly, verdictTitle } from './shared.js';
import { CONTEXT_CHOICES, miniBar, truncate } from './discord.js';

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  header: 150,
  contextElements: 10,
  buttonText: 75,
  optionText: 75,
  optionValue: 150,
  id: 255,
  options: 100,
  text: 40000,
} as const;

/** A Block Kit block (kept structural: Bolt accepts plain JSON). */
export type Block = Record<string, unknown> & { type: string };
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText) => ({
  type: 'mrkdwn',
  text: truncate(text || ' ', max),
});
const plain = (text: string, max: number) => ({ type: 'plain_text', text: truncate(text || ' ', max), emoji: true });
const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });
const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.slice(0, SLACK_LIMITS.contextElements).map((t) => mrkdwn(t)),
});

/** Slack mrkdwn uses single asterisks for bold. */
const bold = (s: string) => `*${s}*`;

function deviceFields(
  e: DeviceEvaluation,
  q: Verdict['query'],
  maxDecode: number,
  maxPrefill: number,
  mediaOnly: boolean,
): string {
  const m = e.memory;
  const lines = [bold(e.name)];
  if (!mediaOnly) {
    if (e.fit === 'gpu')
      lines.push(
        `:white_check_mark: fits: ${fmt.gb(m.requiredGB)} of ${fmt.gb(m.needsRaisedLimit ? m.raisedAvailableGB! : m.availableGB)} GB${m.needsRaisedLimit ? ` after \`${m.sysctlTip}\`` : ''}`,
      );
    else if (e.fit === 'offload')
      lines.push(`:large_orange_square: offload: ${fmt.gb(m.spillGB)} of ${fmt.gb(m.requiredGB)} GB in system RAM`);
    else lines.push(`:x: needs ${fmt.gb(m.requiredGB)} GB, ${fmt.gb(m.raisedAvailableGB ?? m.availableGB)} GB usable`);
    if (e.decodeTokensPerSec !== null && e.decodeBand)
      lines.push(
        `Decode \`${miniBar(e.decodeTokensPerSec, maxDecode)}\` ~${fmt.tps(e.decodeTokensPerSec)} tok/s (${fmtBand(e.decodeBand, 'tok/s')})`,
      );
    if (e.prefillTokensPerSec !== null && e.prefillBand)
      lines.push(`Prefill \`${miniBar(e.prefillTokensPerSec, maxPrefill)}\` ~${fmt.tps(e.prefillTokensPerSec)} tok/s`);
    if (e.timeToFirstTokenSec !== null && q.promptTokens > 0)
      lines.push(
        `First token (${q.promptTokens} tok): ${e.timeToFirstTokenSec < 1 ? `${Math.round(e.timeToFirstTokenSec * 1000)} ms` : `${e.timeToFirstTokenSec.toFixed(1)} s`}`,
      );
  }
  if (q.workflow === 'image')
    for (const img of e.images)
      lines.push(
        `${img.name}: ${img.secondsPerImage ? `${fmtBand(img.secondsPerImage, 's')}/image` : img.support} (${img.basis})`,
      );
  if (q.workflow === 'video')
    for (const v of e.video) lines.push(`${v.name}: ${v.level}${v.fits ? '' : ' (too little memory)'}`);
  lines.push(`${q.workflow}: ${e.workflowSupport.level}`);
  return lines.join('\n');
}

export const QUANT_ACTION = 'whichgpu_quant';
export const CONTEXT_ACTION = 'whichgpu_context';
export const PIN_ACTION = 'whichgpu_pin';
export const SOURCES_ACTION = 'whichgpu_sources';
export const REFRESH_ACTION = 'whichgpu_refresh';
export const UNPIN_ACTION = 'whichgpu_unpin';

/** Without a stateId (it could not be stored) the message has no actions. */
export function verdictBlocks(
  v: Verdict,
  o: { stateId: string | undefined; quants: readonly string[]; existingPin?: PinView; notes?: string[] },
): SlackMessage {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  const mediaOnly = isMediaOnly(v);
  const title = verdictTitle(v);
  const blocks: Block[] = [{ type: 'header', text: plain(title, SLACK_LIMITS.header) }];
  if (o.existingPin)
    blocks.push(
      context(
        `:pushpin: A moderator pinned this question as #${o.existingPin.id} on ${o.existingPin.pinnedAt.slice(0, 10)}${o.existingPin.stale ? ' (data changed since)' : ''}: ${o.existingPin.headline}`,
      ),
    );
  blocks.push(section(`${bold(v.verdict.headline)}\n${v.verdict.reasons.map((r) => `• ${r}`).join('\n')}`));
  if (v.overview) {
    blocks.push({
      type: 'section',
      fields: v.overview
        .slice(0, SLACK_LIMITS.fields)
        .map((row) =>
          mrkdwn(
            `${bold(`${row.modelName} ${row.quant}`)}\n${row.devices
              .map(
                (c, i) =>
                  `${v.devices[i]!.shortName}: ${c.decodeTokensPerSec === null ? `cannot run (${fmt.gb(c.requiredGB)} GB)` : `~${fmt.tps(c.decodeTokensPerSec)} tok/s${c.fit === 'offload' ? ' (offload)' : ''}`}${c.reported ? ` _(reported ${c.reported})_` : ''}`,
              )
              .join('\n')}`,
            SLACK_LIMITS.fieldText,
          ),
        ),
    });
  } else {
    const maxDecode = Math.max(a.decodeTokensPerSec ?? 0, b.decodeTokensPerSec ?? 0);
    const maxPrefill = Math.max(a.prefillTokensPerSec ?? 0, b.prefillTokensPerSec ?? 0);
    blocks.push({
      type: 'section',
      fields: [a, b].map((e) => mrkdwn(deviceFields(e, q, maxDecode, maxPrefill, mediaOnly), SLACK_LIMITS.fieldText)),
    });
    blocks.push({
      type: 'section',
      fields: [a, b].map((e) => {
        const c = costParts(e);
        return mrkdwn(
          `${bold(`${e.shortName}: power and cost`)}\n${e.power.loadW} W load, ${e.noise.loadDbA.low}-${e.noise.loadDbA.high} dBA\n${c.hardware} + ${c.perYear} → ${bold(c.total)} over ${q.years} yr${c.breakEven ? `\n${c.breakEven}` : ''}`,
          SLACK_LIMITS.fieldText,
        );
      }),
    });
  }
  const conflicts = v.flags.filter((f) => f.kind === 'seed-conflict');
  if (conflicts.length)
    blocks.push(
      section(
        `:warning: ${bold('Reported figures that physics contradicts')}\n${conflicts.map((f) => (f.kind === 'seed-conflict' ? `• ${f.device}: claimed ${f.claim.split(' (')[0]} (${f.source.split(':')[0]}); physics: ${f.estimate}` : '')).join('\n')}`,
      ),
    );
  const caveats = [
    ...v.flags.filter((f) => f.kind !== 'seed-conflict').map((f) => ('message' in f ? f.message : '')),
    ...v.verdict.caveats,
    ...(o.notes ?? []),
  ];
  if (caveats.length) blocks.push(section(`${bold('Caveats')}\n${caveats.map((c) => `• ${c}`).join('\n')}`));
  if (v.verdict.alsoConsider.length)
    blocks.push(
      section(
        `${bold('Also consider')}\n${v.verdict.alsoConsider.map((x) => `• ${bold(x.name)}: ${x.why}`).join('\n')}`,
      ),
    );
  blocks.push(
    context(
      `data ${v.dataVersion} · speeds and memory: estimates from a model calibrated on measured runs · "reported": quoted with source`,
    ),
  );
  const message = () => ({
    text: truncate(`${title}: ${v.verdict.headline}`, SLACK_LIMITS.text),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  });
  if (o.stateId === undefined) return message();
  const elements: Record<string, unknown>[] = [];
  if (v.model) {
    const quants = [...new Set([q.quant, ...o.quants])].slice(0, SLACK_LIMITS.options);
    elements.push({
      type: 'static_select',
      action_id: QUANT_ACTION,
      placeholder: plain('Quantization', SLACK_LIMITS.optionText),
      initial_option: { text: plain(q.quant, SLACK_LIMITS.optionText), value: `${o.stateId}|${q.quant}` },
      options: quants.map((id) => ({ text: plain(id, SLACK_LIMITS.optionText), value: `${o.stateId}|${id}` })),
    });
    const contexts = CONTEXT_CHOICES.filter((c) => c <= v.model!.maxContext);
    const current = contexts.find((c) => c === q.contextTokens);
    elements.push({
      type: 'static_select',
      action_id: CONTEXT_ACTION,
      placeholder: plain('Context', SLACK_LIMITS.optionText),
      ...(current
        ? {
            initial_option: {
              text: plain(`${current / 1024}k context`, SLACK_LIMITS.optionText),
              value: `${o.stateId}|${current}`,
            },
          }
        : {}),
      options: contexts.map((c) => ({
        text: plain(`${c / 1024}k context`, SLACK_LIMITS.optionText),
        value: `${o.stateId}|${c}`,
      })),
    });
  }
  elements.push({
    type: 'button',
    action_id: PIN_ACTION,
    text: plain(':pushpin: Pin verdict', SLACK_LIMITS.buttonText),
    value: o.stateId,
    style: 'primary',
  });
  elements.push({
    type: 'button',
    action_id: SOURCES_ACTION,
    text: plain(':books: Sources', SLACK_LIMITS.buttonText),
    value: o.stateId,
  });
  blocks.push({ type: 'actions', block_id: `whichgpu_actions_${o.stateId}`, elements });
  return message();
}

export function sourcesBlocks(v: Verdict): SlackMessage {
  const lines = v.sources.map((s) => `• ${s.url ? `<${s.url}|${s.title}>` : s.title} (${s.date})`);
  return { text: 'Sources', blocks: [section(`${bold('Sources')}\n${lines.join('\n')}`)] };
}

export function textBlocks(text: string): SlackMessage {
  return { text: truncate(text, SLACK_LIMITS.text), blocks: [section(text)] };
}

export function pinsBlocks(page: Page<PinView>, canModerate: boolean): SlackMessage {
  if (page.total === 0)
    return textBlocks('No pinned verdicts in this workspace yet. Moderators pin a verdict with its :pushpin: button.');
  const blocks: Block[] = [{ type: 'header', text: plain(`Pinned verdicts (${page.total})`, SLACK_LIMITS.header) }];
  for (const p of page.items) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `${bold(`#${p.id}`)} ${p.headline}\npinned by <@${p.pinnedBy}> on ${p.pinnedAt.slice(0, 10)}${p.stale ? ' · :warning: stale: data changed' : ''}`,
      ),
      ...(canModerate
        ? {
            accessory: {
              type: 'overflow',
              action_id: `whichgpu_pin_menu_${p.id}`,
              options: [
                { text: plain(`Refresh #${p.id}`, SLACK_LIMITS.optionText), value: `refresh|${p.id}` },
                { text: plain(`Unpin #${p.id}`, SLACK_LIMITS.optionText), value: `unpin|${p.id}` },
              ],
            },
          }
        : {}),
    });
  }
  blocks.push(
    context(
      `page ${page.page} of ${page.pages}${page.pages > page.page ? ` · /whichgpu pins ${page.page + 1} for older` : ''}`,
    ),
  );
  return { text: `Pinned verdicts (${page.total})`, blocks };
}

export function settingsBlocks(s: ServerSettings, changed: string[]): SlackMessage {
  return textBlocks(
    `${changed.length ? `Saved ${changed.join(', ')}.\n` : ''}${bold('Workspace settings')}: electricity $${s.kwh_price}/kWh · ${s.hours} h/day · ${s.years} years · default workflow ${s.workflow} · moderator group ${s.moderator_role ? `<!subteam^${s.moderator_role}>` : 'none'}`,
  );
}
