/**
 * Community reports (issue 18) on every surface: what a saved, asked-back, reviewed or listed
 * report says (one wording, each platform adding its markup and buttons), and the line a verdict
 * or a plan prints for what this community measured. Pure; the adapters send what these return.
 */
import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIInteractionResponseCallbackData,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { BandCheck, ReportGap, ReportReply, ReportView } from '../../commands/report.js';
import type { CommunityFigure } from '../../commands/types.js';
import { safeEcho } from '../core/index.js';
import type { Platform, ReportFilter } from '../store/store.js';
import { DISCORD_LIMITS, fitEmbed } from './discord-embed.js';
import {
  REPORT_MODAL_ID,
  discordReportId,
  discordReportPageId,
  slackReportActionId,
  slackReportPageId,
  slackReportPageValue,
  type ReportVerb,
} from './report-ids.js';
import { fmt, fmtBand, truncate } from './shared.js';
import { SLACK_LIMITS, type Block, type SlackMessage } from './slack.js';

// ---- Shared wording -------------------------------------------------------------------------

const tps = (x: number) => `${fmt.tps(x)} tok/s`;
const same = (s: string) => s;

/** "within the estimate's band, 120-160 tok/s", "35% above ...", "2.3x the top of ...", "40% below ...". */
export function bandWords(c: BandCheck): string {
  const band = `the estimate's band, ${fmtBand(c, 'tok/s')}`;
  if (c.reported > c.high)
    return c.reported >= 2 * c.high
      ? `${fmt.ratio(c.reported / c.high)}x the top of ${band}`
      : `${Math.round((c.reported / c.high - 1) * 100)}% above ${band}`;
  if (c.reported < c.low) return `${Math.round((1 - c.reported / c.low) * 100)}% below ${band}`;
  return `within ${band}`;
}

const outside = (c: BandCheck | null): c is BandCheck => c !== null && (c.reported < c.low || c.reported > c.high);

/** "RTX 4090 · Llama 3.1 8B Q4_K_M · llama.cpp b4500 · 4k deep" (the runtime as the paste said it, made safe). */
export function runTitle(r: ReportView): string {
  const [name, version] = [r.runtime, r.runtimeVersion].map((x) => (x ? safeEcho(x, 30) : ''));
  const runtime = version ? `${name || 'build'} ${version}` : name;
  const depth = r.depthTokens > 0 ? `${fmt.kTokens(r.depthTokens)} deep` : '';
  return [r.deviceName, `${r.modelName}${r.quant ? ` ${r.quant}` : ''}`, runtime, depth].filter(Boolean).join(' · ');
}

/** "decode 150 tok/s (within the estimate's band (120-160 tok/s)), prefill 11,000 tok/s after 512 tokens". */
export function runFigures(r: ReportView): string {
  const part = (what: string, x: number | null, c: BandCheck | null, extra = '') =>
    x === null ? null : `${what} ${tps(x)}${extra}${c ? ` (${bandWords(c)})` : ''}`;
  const prompt = r.promptTokens ? ` for a ${r.promptTokens.toLocaleString('en-US')}-token prompt` : '';
  return [
    part('decode', r.decodeTokensPerSec, r.decodeCheck),
    part('prefill', r.prefillTokensPerSec, r.prefillCheck, prompt),
  ]
    .filter(Boolean)
    .join(', ');
}

/** The flag a moderator reads before approving: which figure is outside the band, and by how much. */
export function flagWords(r: ReportView): string | null {
  const parts = [
    outside(r.decodeCheck) ? `decode ${tps(r.decodeCheck.reported)} is ${bandWords(r.decodeCheck)}` : null,
    outside(r.prefillCheck) ? `prefill ${tps(r.prefillCheck.reported)} is ${bandWords(r.prefillCheck)}` : null,
  ].filter(Boolean);
  if (parts.length === 0) return r.flagged ? "outside the estimate's band when it was reported" : null;
  return parts.join('; ');
}

const ids = (rs: readonly { id: number }[]) => rs.map((r) => `#${r.id}`).join(', ');

const SAVED_TAIL = "pending a moderator's review";
const FLAG_TAIL = "marked for a moderator's second look; not shown in answers unless a moderator approves it";

/** "Report #12 saved, pending a moderator's review." */
export function savedHead(reports: readonly ReportView[]): string {
  return `${reports.length === 1 ? 'Report' : 'Reports'} ${ids(reports)} saved, ${SAVED_TAIL}.`;
}

const GAP_WORDS: Record<ReportGap, string> = {
  device: 'which machine ran it',
  model: 'which model it ran',
  speed: 'a speed in tokens per second',
};

/** How each surface adds a missing field. */
function gapUsage(platform: Platform, missing: readonly ReportGap[], device: string | null, model: string | null) {
  const adds = [
    ...(missing.includes('device') ? [`machine:${device ?? 'rtx-4090'}`] : []),
    ...(missing.includes('model') ? [`model:${model ?? 'llama-3.1-8b'}`] : []),
  ].join(' ');
  if (!adds) return null;
  if (platform === 'discord') return `/report paste:… ${adds}`;
  if (platform === 'slack') return `/whichgpu report ${adds} <paste>`;
  return `report ${adds} <paste>`;
}

const SPEED_HOW =
  "Paste the lines with the speeds: llama-bench's table, the eval rate lines of ollama run --verbose, LM Studio's stats or mlx_lm's Prompt and Generation lines.";

/** The ask-back: what is missing, how to add it on this surface, and what was read. */
export function missingText(r: Extract<ReportReply, { view: 'missing' }>, platform: Platform): string {
  const needs = r.missing.map((g) => GAP_WORDS[g]);
  const read = r.runs > 0 ? ` (I read ${r.runs} run${r.runs === 1 ? '' : 's'} in ${r.format} output.)` : '';
  const lines = [
    `Not saved yet: the report does not say ${needs.join(', nor ')}.${r.format === 'unknown' && r.runs === 0 ? " I didn't recognise the output." : read}`,
  ];
  const usage = gapUsage(platform, r.missing, r.device, r.model);
  if (usage) lines.push(`Add ${r.missing.includes('device') && r.missing.includes('model') ? 'them' : 'it'}: ${usage}`);
  if (r.missing.includes('speed')) lines.push(SPEED_HOW);
  for (const n of r.notes.slice(0, 3)) lines.push(`(${n})`);
  return lines.join('\n');
}

const REVIEWED_TAIL: Record<'approved' | 'rejected' | 'deleted', string> = {
  approved: " Shown beside the estimate in this server's verdicts and plans.",
  rejected: ' Not shown in answers.',
  deleted: '',
};

/** `by` is already in the surface's markup (a mention); `esc` makes the rest safe for it. */
function reviewedText(r: Extract<ReportReply, { view: 'reviewed' }>, by = '', esc = same): string {
  const head = `${esc(`${r.reports.length === 1 ? 'Report' : 'Reports'} ${ids(r.reports)} ${r.action}`)}${by ? ` by ${by}` : ''}.${esc(REVIEWED_TAIL[r.action])}`;
  const lines = [head, ...r.reports.map((x) => esc(`• #${x.id} ${runTitle(x)}: ${runFigures(x)}`))];
  if (r.notFound.length) lines.push(`No report ${r.notFound.map((id) => `#${id}`).join(', ')} in this server.`);
  return lines.join('\n');
}

const STATUS_WORDS = { pending: 'pending', approved: 'approved', rejected: 'rejected' } as const;

/**
 * One report of a list or a saved message: "#12 RTX 4090 · ...: decode ... / by @u on 2026-03-01 ·
 * approved". `who` is in the surface's markup (a mention); `esc` makes the rest safe for it.
 */
function reportLine(r: ReportView, who: (id: string, name: string) => string, withStatus: boolean, esc = same): string {
  const flag = flagWords(r);
  const status = `${withStatus ? ` · ${STATUS_WORDS[r.status]}` : ''}${flag ? ` · ⚠️ ${flag}` : ''}`;
  return [
    esc(`#${r.id} ${runTitle(r)}: ${runFigures(r)}`),
    `   by ${who(r.reportedBy, r.reportedByName)}${esc(` on ${r.reportedAt.slice(0, 10)}${status}`)}`,
  ].join('\n');
}

function listHead(r: Extract<ReportReply, { view: 'list' }>): string {
  const what = r.filter === 'all' ? 'Community reports' : `Community reports, ${r.filter}`;
  return `${what} (${r.page.total})`;
}

function emptyList(r: Extract<ReportReply, { view: 'list' }>, platform: Platform): string {
  const how = platform === 'discord' ? '/report' : platform === 'slack' ? '/whichgpu report' : 'report';
  return r.filter === 'approved' || !r.canModerate
    ? `No approved community reports in this server yet. Measured a model? ${how} with what your benchmark printed.`
    : `No ${r.filter === 'all' ? '' : `${r.filter} `}community reports in this server.`;
}

/**
 * "measured by this community: 3 runs, median 52 tok/s (prefill 1,200 tok/s)"; approved runs
 * outside the estimate's band say so.
 */
export function communityText(c: CommunityFigure): string {
  const prefill = c.medianPrefill === null ? '' : `prefill ${tps(c.medianPrefill)}`;
  const median =
    c.medianDecode === null ? `median ${prefill}` : `median ${tps(c.medianDecode)}${prefill ? ` (${prefill})` : ''}`;
  const band =
    c.outsideBand === 0
      ? ''
      : c.outsideBand === c.runs
        ? " (outside the estimate's band)"
        : ` (${c.outsideBand} of them outside the estimate's band)`;
  return `measured by this community: ${c.runs} run${c.runs === 1 ? '' : 's'}, ${median}${band}`;
}

/** One line per figure, named by machine (and by model when several models show, as in a plan). */
export function communityLines(figures: readonly CommunityFigure[] | undefined): string[] {
  if (!figures?.length) return [];
  const models = new Set(figures.map((f) => f.model));
  return figures.map(
    (f) => `${f.deviceName}${models.size > 1 ? ` · ${f.modelName} ${f.quant}` : ''}: ${communityText(f)}`,
  );
}

// ---- Discord --------------------------------------------------------------------------------

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

const button = (verb: ReportVerb, reportIds: readonly number[], label: string, inList = false): APIButtonComponent => ({
  type: ComponentType.Button,
  style: verb === 'approve' ? ButtonStyle.Success : verb === 'reject' ? ButtonStyle.Secondary : ButtonStyle.Danger,
  custom_id: discordReportId(verb, reportIds, inList),
  label: truncate(label, DISCORD_LIMITS.buttonLabel),
});

const discordWho = (id: string) => `<@${id}>`;

function discordText(content: string, ephemeral: boolean, components: Row[] = []) {
  return {
    data: {
      content: truncate(content, DISCORD_LIMITS.content),
      ...(components.length ? { components } : {}),
    } satisfies APIInteractionResponseCallbackData,
    ephemeral,
  };
}

/**
 * A report reply as a Discord message. Saved: public with Approve and Reject (moderators click them
 * there); the rest private to whoever asked. A reviewed reply replaces the pending message when it
 * came from its button (the handler makes it an update), saying who reviewed.
 */
export function discordReport(
  r: ReportReply,
  o: { reviewer?: string } = {},
): { data: APIInteractionResponseCallbackData; ephemeral: boolean } {
  switch (r.view) {
    case 'saved': {
      const lines = [savedHead(r.reports), ...r.reports.map((x) => reportLine(x, discordWho, false))];
      if (r.reports.some((x) => x.flagged)) lines.push(`⚠️ ${FLAG_TAIL}.`);
      if (r.dropped) lines.push(`(${r.dropped} more runs in the paste were not saved: at most 8 a report.)`);
      for (const n of r.notes.slice(0, 3)) lines.push(`(${n})`);
      const all = r.reports.map((x) => x.id);
      const row: Row = {
        type: ComponentType.ActionRow,
        components: [
          button('approve', all, r.reports.length === 1 ? 'Approve' : 'Approve all'),
          button('reject', all, r.reports.length === 1 ? 'Reject' : 'Reject all'),
        ],
      };
      return discordText(lines.join('\n'), false, [row]);
    }
    case 'missing':
      return discordText(missingText(r, 'discord'), true);
    case 'reviewed': {
      // No buttons: as the update of a pending message, this takes its Approve and Reject away.
      const shown = discordText(reviewedText(r, o.reviewer ? discordWho(o.reviewer) : ''), true);
      return { ...shown, data: { ...shown.data, components: [] } };
    }
    case 'list': {
      if (r.page.total === 0) return discordText(emptyList(r, 'discord'), true);
      const lines = [`**${listHead(r)}**`, ...r.page.items.map((x) => reportLine(x, discordWho, r.filter === 'all'))];
      lines.push(`page ${r.page.page} of ${r.page.pages}`);
      const rows: Row[] = [];
      if (r.canModerate) {
        const buttons = r.page.items.flatMap((x) => [
          ...(x.status !== 'approved' ? [button('approve', [x.id], `Approve #${x.id}`, true)] : []),
          ...(x.status !== 'rejected' ? [button('reject', [x.id], `Reject #${x.id}`, true)] : []),
          button('delete', [x.id], `Delete #${x.id}`, true),
        ]);
        for (let i = 0; i < buttons.length && rows.length < DISCORD_LIMITS.rows - 1; i += 5)
          rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
      }
      if (r.page.pages > 1)
        rows.push({
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.Button,
              style: ButtonStyle.Secondary,
              custom_id: discordReportPageId(r.filter, r.page.page - 1),
              label: 'Newer',
              disabled: r.page.page <= 1,
            },
            {
              type: ComponentType.Button,
              style: ButtonStyle.Secondary,
              custom_id: discordReportPageId(r.filter, r.page.page + 1),
              label: 'Older',
              disabled: r.page.page >= r.page.pages,
            },
          ],
        });
      return discordText(lines.join('\n'), true, rows);
    }
  }
}

/**
 * The form /report opens when no paste is given: a slash command's options are one line, and a
 * llama-bench table needs its lines. What the options said is filled in; 4,000 characters is a
 * text input's longest.
 */
export function reportModal(given: {
  machine?: string;
  model?: string;
  quant?: string;
}): APIModalInteractionResponseCallbackData {
  const input = (
    customId: string,
    label: string,
    description: string,
    o: { paragraph?: boolean; value?: string | undefined; max: number },
  ) => ({
    type: ComponentType.Label as const,
    label,
    description,
    component: {
      type: ComponentType.TextInput as const,
      custom_id: customId,
      style: o.paragraph ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: Boolean(o.paragraph),
      max_length: o.max,
      ...(o.value ? { value: o.value.slice(0, o.max) } : {}),
    },
  });
  return {
    custom_id: REPORT_MODAL_ID,
    title: 'Report a speed you measured',
    components: [
      input('paste', 'What your benchmark printed', 'llama-bench, ollama run --verbose, LM Studio or mlx_lm', {
        paragraph: true,
        max: 4000,
      }),
      input('machine', 'Machine', 'If the paste does not say: rtx-4090, m4 max 128gb…', {
        value: given.machine,
        max: 120,
      }),
      input('model', 'Model', 'If the paste does not say: llama 3.1 8b, qwen3:32b…', { value: given.model, max: 300 }),
      input('quant', 'Quantization', 'If the paste does not say: Q4_K_M, Q8_0, MLX-4bit…', {
        value: given.quant,
        max: 40,
      }),
    ],
  };
}

// ---- Slack ----------------------------------------------------------------------------------

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackSection = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text || ' ', SLACK_LIMITS.sectionText) },
});
const slackButton = (verb: ReportVerb, reportIds: readonly number[], label: string, actionId: string) => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text: truncate(label, SLACK_LIMITS.buttonText), emoji: true },
  value: reportIds.join('.'),
  ...(verb === 'approve' ? { style: 'primary' } : verb === 'delete' ? { style: 'danger' } : {}),
});
/** Our own mention of the reporter (the text around it is escaped, the mention is not). */
const slackWho = (id: string) => `<@${id}>`;
const slackLine = (r: ReportView, withStatus: boolean) => reportLine(r, slackWho, withStatus, escape);

const pageButton = (way: 'newer' | 'older', filter: ReportFilter, page: number) => ({
  type: 'button',
  action_id: slackReportPageId(way),
  text: { type: 'plain_text', text: way === 'newer' ? 'Newer' : 'Older' },
  value: slackReportPageValue(filter, page),
});

/** A report reply as a Slack message: saved ones in the channel with their buttons, the rest to the asker. */
export function slackReport(r: ReportReply, o: { reviewer?: string } = {}): { message: SlackMessage; public: boolean } {
  switch (r.view) {
    case 'saved': {
      const lines = [escape(savedHead(r.reports)), ...r.reports.map((x) => slackLine(x, false))];
      if (r.reports.some((x) => x.flagged)) lines.push(`:warning: ${FLAG_TAIL}.`);
      if (r.dropped) lines.push(`(${r.dropped} more runs in the paste were not saved: at most 8 a report.)`);
      for (const n of r.notes.slice(0, 3)) lines.push(escape(`(${n})`));
      const all = r.reports.map((x) => x.id);
      return {
        message: {
          text: truncate(savedHead(r.reports), SLACK_LIMITS.text),
          blocks: [
            slackSection(lines.join('\n')),
            {
              type: 'actions',
              block_id: `whichgpu_report_${all.join('_')}`.slice(0, SLACK_LIMITS.id),
              elements: [
                slackButton(
                  'approve',
                  all,
                  all.length === 1 ? 'Approve' : 'Approve all',
                  slackReportActionId('approve'),
                ),
                slackButton('reject', all, all.length === 1 ? 'Reject' : 'Reject all', slackReportActionId('reject')),
              ],
            },
          ],
        },
        public: true,
      };
    }
    case 'missing': {
      const text = missingText(r, 'slack');
      return {
        message: { text: truncate(text, SLACK_LIMITS.text), blocks: [slackSection(escape(text))] },
        public: false,
      };
    }
    case 'reviewed': {
      const shown = reviewedText(r, o.reviewer ? slackWho(o.reviewer) : '', escape);
      return {
        message: { text: truncate(reviewedText(r), SLACK_LIMITS.text), blocks: [slackSection(shown)] },
        public: false,
      };
    }
    case 'list': {
      if (r.page.total === 0) {
        const text = emptyList(r, 'slack');
        return { message: { text, blocks: [slackSection(escape(text))] }, public: false };
      }
      const blocks: Block[] = [slackSection(`*${escape(listHead(r))}*`)];
      for (const x of r.page.items) {
        blocks.push(slackSection(slackLine(x, r.filter === 'all')));
        if (r.canModerate)
          blocks.push({
            type: 'actions',
            block_id: `whichgpu_report_list_${x.id}`,
            elements: [
              ...(x.status !== 'approved'
                ? [slackButton('approve', [x.id], `Approve #${x.id}`, slackReportActionId('approve', x.id))]
                : []),
              ...(x.status !== 'rejected'
                ? [slackButton('reject', [x.id], `Reject #${x.id}`, slackReportActionId('reject', x.id))]
                : []),
              slackButton('delete', [x.id], `Delete #${x.id}`, slackReportActionId('delete', x.id)),
            ],
          });
      }
      const pager =
        r.page.pages > 1
          ? [
              {
                type: 'actions',
                block_id: 'whichgpu_report_pager',
                elements: [
                  ...(r.page.page > 1 ? [pageButton('newer', r.filter, r.page.page - 1)] : []),
                  ...(r.page.page < r.page.pages ? [pageButton('older', r.filter, r.page.page + 1)] : []),
                ],
              },
            ]
          : [];
      blocks.push(...pager, {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `page ${r.page.page} of ${r.page.pages}` }],
      });
      return { message: { text: listHead(r), blocks: blocks.slice(0, SLACK_LIMITS.blocks) }, public: false };
    }
  }
}

// ---- Terminal -------------------------------------------------------------------------------

/** A report reply as console text (the console's user moderates, so the review commands are named). */
export function textReport(r: ReportReply): string {
  const who = (_id: string, name: string) => name;
  switch (r.view) {
    case 'saved': {
      const lines = [savedHead(r.reports), ...r.reports.map((x) => reportLine(x, who, false))];
      if (r.reports.some((x) => x.flagged)) lines.push(`⚠ ${FLAG_TAIL}.`);
      if (r.dropped) lines.push(`(${r.dropped} more runs in the paste were not saved: at most 8 a report.)`);
      for (const n of r.notes.slice(0, 3)) lines.push(`(${n})`);
      lines.push(`report approve ${r.reports.map((x) => x.id).join(' ')} · report reject <id> · reports`);
      return lines.join('\n');
    }
    case 'missing':
      return missingText(r, 'console');
    case 'reviewed':
      return reviewedText(r);
    case 'list': {
      if (r.page.total === 0) return emptyList(r, 'console');
      const lines = [listHead(r), ...r.page.items.map((x) => reportLine(x, who, r.filter === 'all'))];
      lines.push(
        `page ${r.page.page} of ${r.page.pages}${r.canModerate ? ' · report approve|reject|delete <id>' : ''}`,
      );
      return lines.join('\n');
    }
  }
}

// ---- Beside the estimate: a verdict's or a plan's community line ----------------------------

/** A verdict or plan message with what this community measured at the end of its first embed's description. */
export function discordWithCommunity(
  data: APIInteractionResponseCallbackData,
  figures: readonly CommunityFigure[] | undefined,
): APIInteractionResponseCallbackData {
  const lines = communityLines(figures);
  const [first, ...rest] = data.embeds ?? [];
  if (!lines.length || !first) return data;
  const added = lines.map((l) => `📏 ${l}`).join('\n');
  return { ...data, embeds: [fitEmbed({ ...first, description: `${first.description ?? ''}\n${added}` }), ...rest] };
}

/** The same on Slack: a section before the footer's context block (the last context of the message). */
export function slackWithCommunity(
  message: SlackMessage,
  figures: readonly CommunityFigure[] | undefined,
): SlackMessage {
  const lines = communityLines(figures);
  if (!lines.length) return message;
  const footer = message.blocks.map((b) => b.type).lastIndexOf('context');
  const at = footer < 0 ? message.blocks.length : footer;
  const block = slackSection(lines.map((l) => `:straight_ruler: ${escape(l)}`).join('\n'));
  const blocks = [...message.blocks.slice(0, at), block, ...message.blocks.slice(at)];
  // Over Slack's 50 blocks the answer goes without it.
  return { ...message, blocks: blocks.length > SLACK_LIMITS.blocks ? message.blocks : blocks };
}
