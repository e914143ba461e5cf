/**
 * Verdicts and command replies as Slack Block Kit, always with a top-level `text` fallback for
 * notifications. Within Slack's limits (50 blocks, section text 3000, 10 fields of 2000, header
 * 150, context 10 elements, button text 75, option text 75, action/block ids 255, 100 options).
 * Pure: tests check every output against the limits.
 */
import type { PinView } from '../../commands/types.js';
import type { DeviceEvaluation, OverviewCell, Verdict } from '../core/index.js';
import type { ServerSettings } from '../store/settings-schema.js';
import type { Page } from '../store/store.js';
import {
  askActionId,
  CONTEXT_ACTION,
  encodePinMenuOption,
  encodeSelectOption,
  pinMenuActionId,
  PIN_ACTION,
  QUANT_ACTION,
  SOURCES_ACTION,
} from './slack-ids.js';
import {
  caveatLines,
  CLARIFY_PICK,
  clarifyText,
  conflictLine,
  contextChoices,
  costParts,
  energyText,
  fineTuneRows,
  firstTokenLine,
  fmt,
  fmtBand,
  footerText,
  imageSpeed,
  isMediaOnly,
  memoryFit,
  miniBar,
  noiseRange,
  overviewCell,
  powerText,
  quantChoices,
  seedConflicts,
  servingRows,
  truncate,
  verdictTitle,
  videoLevel,
} from './shared.js';

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
  buttonValue: 2000,
  actionElements: 25,
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

const FIT_ICON = { gpu: ':white_check_mark:', offload: ':large_orange_square:', none: ':x:' } as const;

function deviceFields(
  e: DeviceEvaluation,
  q: Verdict['query'],
  maxDecode: number,
  maxPrefill: number,
  mediaOnly: boolean,
): string {
  const lines = [bold(e.name)];
  if (!mediaOnly) {
    const m = memoryFit(e);
    lines.push(`${FIT_ICON[m.fit]} ${m.text}${m.after ? ` after \`${m.after}\`` : ''}`);
    // Serving and fine-tuning answer in their own figures, not one stream's decode.
    const own = [...servingRows(e), ...fineTuneRows(e)].map((r) => `${r.label}: ${r.text}`);
    lines.push(...own);
    if (own.length === 0 && e.decodeTokensPerSec !== null && e.decodeBand)
      lines.push(
        `Decode \`${miniBar(e.decodeTokensPerSec, maxDecode)}\` ~${fmt.tps(e.decodeTokensPerSec)} tok/s (${fmtBand(e.decodeBand, 'tok/s')})`,
      );
    if (own.length === 0 && e.prefillTokensPerSec !== null && e.prefillBand)
      lines.push(`Prefill \`${miniBar(e.prefillTokensPerSec, maxPrefill)}\` ~${fmt.tps(e.prefillTokensPerSec)} tok/s`);
    const first = firstTokenLine(e, q.promptTokens);
    if (first) lines.push(first);
  }
  if (q.workflow === 'image') for (const img of e.images) lines.push(`${img.name}: ${imageSpeed(img)} (${img.basis})`);
  if (q.workflow === 'video') for (const v of e.video) lines.push(`${v.name}: ${videoLevel(v)}`);
  lines.push(`${q.workflow}: ${e.workflowSupport.level}`);
  return lines.join('\n');
}

function overviewSection(v: Verdict): Block {
  const cell = (c: OverviewCell, i: number) =>
    `${overviewCell(c, v.devices[i]!.shortName)}${c.reported ? ` _(reported ${c.reported})_` : ''}`;
  return {
    type: 'section',
    fields: v
      .overview!.slice(0, SLACK_LIMITS.fields)
      .map((row) =>
        mrkdwn(`${bold(`${row.modelName} ${row.quant}`)}\n${row.devices.map(cell).join('\n')}`, SLACK_LIMITS.fieldText),
      ),
  };
}

function comparisonSections(v: Verdict): Block[] {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  const maxDecode = Math.max(a.decodeTokensPerSec ?? 0, b.decodeTokensPerSec ?? 0);
  const maxPrefill = Math.max(a.prefillTokensPerSec ?? 0, b.prefillTokensPerSec ?? 0);
  const mediaOnly = isMediaOnly(v);
  const costField = (e: DeviceEvaluation) => {
    const c = costParts(e);
    return mrkdwn(
      `${bold(`${e.shortName}: power and cost`)}\n${powerText(e)}, ${noiseRange(e)}${q.workflow !== 'fine-tune' && energyText(e) ? `\n${energyText(e)}` : ''}\n${c.hardware} + ${c.perYear} → ${bold(c.total)} over ${q.years} yr${c.breakEven ? `\n${c.breakEven}` : ''}`,
      SLACK_LIMITS.fieldText,
    );
  };
  return [
    {
      type: 'section',
      fields: [a, b].map((e) => mrkdwn(deviceFields(e, q, maxDecode, maxPrefill, mediaOnly), SLACK_LIMITS.fieldText)),
    },
    { type: 'section', fields: [a, b].map(costField) },
  ];
}

/** Conflicts, caveats and alternatives, after the figures. */
function noteSections(v: Verdict, notes: readonly string[]): Block[] {
  const blocks: Block[] = [];
  const conflicts = seedConflicts(v);
  if (conflicts.length)
    blocks.push(
      section(
        `:warning: ${bold('Reported figures that physics contradicts')}\n${conflicts.map((f) => `• ${conflictLine(f)}`).join('\n')}`,
      ),
    );
  const caveats = caveatLines(v, notes);
  if (caveats.length) blocks.push(section(`${bold('Caveats')}\n${caveats.map((c) => `• ${c}`).join('\n')}`));
  if (v.verdict.alsoConsider.length)
    blocks.push(
      section(
        `${bold('Also consider')}\n${v.verdict.alsoConsider.map((x) => `• ${bold(x.name)}: ${x.why}`).join('\n')}`,
      ),
    );
  return blocks;
}

function verdictActions(v: Verdict, stateId: string, quants: readonly string[]): Block {
  const q = v.query;
  const option = (label: string, value: string | number) => ({
    text: plain(label, SLACK_LIMITS.optionText),
    value: encodeSelectOption(stateId, value),
  });
  const elements: Record<string, unknown>[] = [];
  if (v.model) {
    elements.push({
      type: 'static_select',
      action_id: QUANT_ACTION,
      placeholder: plain('Quantization', SLACK_LIMITS.optionText),
      initial_option: option(q.quant, q.quant),
      options: quantChoices(v, quants, SLACK_LIMITS.options).map((id) => option(id, id)),
    });
    const contexts = contextChoices(v);
    const current = contexts.find((c) => c === q.contextTokens);
    elements.push({
      type: 'static_select',
      action_id: CONTEXT_ACTION,
      placeholder: plain('Context', SLACK_LIMITS.optionText),
      ...(current ? { initial_option: option(`${current / 1024}k context`, current) } : {}),
      options: contexts.map((c) => option(`${c / 1024}k context`, c)),
    });
  }
  elements.push({
    type: 'button',
    action_id: PIN_ACTION,
    text: plain(':pushpin: Pin verdict', SLACK_LIMITS.buttonText),
    value: stateId,
    style: 'primary',
  });
  elements.push({
    type: 'button',
    action_id: SOURCES_ACTION,
    text: plain(':books: Sources', SLACK_LIMITS.buttonText),
    value: stateId,
  });
  return { type: 'actions', block_id: `whichgpu_actions_${stateId}`, elements };
}

/** Without a stateId (it could not be stored) the message has no actions. */
export function verdictBlocks(
  v: Verdict,
  o: { stateId: string | undefined; quants: readonly string[]; existingPin?: PinView; notes?: string[] },
): SlackMessage {
  const title = verdictTitle(v);
  const pin = o.existingPin;
  const blocks: Block[] = [{ type: 'header', text: plain(title, SLACK_LIMITS.header) }];
  if (pin)
    blocks.push(
      context(
        `:pushpin: A moderator pinned this question as #${pin.id} on ${pin.pinnedAt.slice(0, 10)}${pin.stale ? ' (data changed since)' : ''}: ${pin.headline}`,
      ),
    );
  blocks.push(section(`${bold(v.verdict.headline)}\n${v.verdict.reasons.map((r) => `• ${r}`).join('\n')}`));
  blocks.push(...(v.overview ? [overviewSection(v)] : comparisonSections(v)));
  blocks.push(...noteSections(v, o.notes ?? []));
  blocks.push(context(footerText(v)));
  if (o.stateId !== undefined) blocks.push(verdictActions(v, o.stateId, o.quants));
  return {
    text: truncate(`${title}: ${v.verdict.headline}`, SLACK_LIMITS.text),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
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
              action_id: pinMenuActionId(p.id),
              options: [
                {
                  text: plain(`Refresh #${p.id}`, SLACK_LIMITS.optionText),
                  value: encodePinMenuOption('refresh', p.id),
                },
                { text: plain(`Unpin #${p.id}`, SLACK_LIMITS.optionText), value: encodePinMenuOption('unpin', p.id) },
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

/**
 * An ask-back: its question and one button per choice (25 at most), each carrying its question in
 * its value; a question longer than a button's value is cut there (a 2,000-character question reads
 * the same from its first 2,000). `lead` goes first (the quote of a message answered with the
 * shortcut).
 */
export function clarifyBlocks(
  question: string,
  choices: readonly { label: string; text: string }[],
  lead = '',
): SlackMessage {
  const head = `${lead}${clarifyText(question)}`;
  return {
    text: truncate(head, SLACK_LIMITS.text),
    blocks: [
      section(`${head}\n${CLARIFY_PICK}`),
      {
        type: 'actions',
        block_id: 'whichgpu_ask',
        elements: choices.slice(0, SLACK_LIMITS.actionElements).map((c, i) => ({
          type: 'button',
          action_id: askActionId(i),
          text: plain(c.label, SLACK_LIMITS.buttonText),
          value: truncate(c.text, SLACK_LIMITS.buttonValue),
        })),
      },
    ],
  };
}
