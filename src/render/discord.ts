/**
 * Verdicts and command replies as Discord messages: one embed within every limit (title 256,
 * description 4096, 25 fields of 1024, footer 2048, 6000 in all) and components within theirs
 * (5 rows, 25 select options, custom_id <= 100). Pure: tests check every output against the limits.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { PinView } from '../../commands/types.js';
import type { DeviceEvaluation, Verdict } from '../core/index.js';
import type { ServerSettings } from '../store/settings-schema.js';
import {
  caveatLines,
  CLARIFY_ASK_AGAIN,
  CLARIFY_PICK,
  clarifyChoiceLines,
  clarifyText,
  conflictLine,
  CONTEXT_CHOICES,
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
import type { Page } from '../store/store.js';
import { DISCORD_LIMITS, fitEmbed } from './discord-embed.js';
import { encodeChoice, encodeCustomId } from './discord-ids.js';

const VENDOR_COLOR: Record<string, number> = { nvidia: 0x76b900, apple: 0xa3aaae, amd: 0xed1c24 };
const TIE_COLOR = 0xf1c40f;
const NEITHER_COLOR = 0xe74c3c;

function colorOf(v: Verdict): number {
  const w = v.verdict.winner;
  if (w === 'tie') return TIE_COLOR;
  if (w === 'neither') return NEITHER_COLOR;
  const d = v.devices.find((x) => x.id === w);
  return (d && VENDOR_COLOR[vendorOf(d)]) ?? TIE_COLOR;
}

function vendorOf(d: DeviceEvaluation): string {
  return d.backend === 'metal' ? 'apple' : d.backend === 'rocm' ? 'amd' : 'nvidia';
}

const FIT_ICON = { gpu: '✅', offload: '🟧', none: '❌' } as const;

function memoryLine(e: DeviceEvaluation): string {
  const m = memoryFit(e);
  return `${FIT_ICON[m.fit]} ${m.text}${m.after ? `\n⚠️ after \`${m.after}\`` : ''}`;
}

function speedLine(x: number | null, band: { low: number; high: number } | null, max: number): string {
  if (x === null || band === null) return '—';
  return `\`${miniBar(x, max)}\` **~${fmt.tps(x)}** tok/s\n(${fmtBand(band, 'tok/s')})`;
}

export { CONTEXT_CHOICES, DISCORD_LIMITS, fitEmbed, miniBar, truncate };

/** A verdict's components carry its state id (see discord-ids.ts). */
export const customId = (action: 'quant' | 'ctx' | 'pin' | 'src', stateId: string) => encodeCustomId(action, stateId);

export interface VerdictMessageOptions {
  /** The shared-query id the components carry; without one (it could not be stored) the message has none. */
  stateId: string | undefined;
  quants: readonly string[];
  existingPin?: PinView;
  notes?: string[];
}

type Field = NonNullable<APIEmbed['fields']>[number];
type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

function overviewFields(v: Verdict): Field[] {
  return v.overview!.slice(0, 8).map((row) => ({
    name: `${row.modelName} ${row.quant}`,
    value: row.devices
      .map((c, i) => `${overviewCell(c, v.devices[i]!.shortName)}${c.reported ? ` *(reported ${c.reported})*` : ''}`)
      .join('\n'),
  }));
}

/** One device's inline field: memory, speeds, first token, image or video support, workflow support. */
function deviceField(e: DeviceEvaluation, v: Verdict, maxDecode: number, maxPrefill: number): Field {
  const q = v.query;
  const first = firstTokenLine(e, q.promptTokens);
  // Serving and fine-tuning answer in their own figures, not one stream's decode.
  const own = [...servingRows(e), ...fineTuneRows(e)].map((r) => `**${r.label}** ${r.text}`);
  const lines = isMediaOnly(v)
    ? []
    : own.length
      ? [memoryLine(e), ...own]
      : [
          memoryLine(e),
          `**Decode** ${speedLine(e.decodeTokensPerSec, e.decodeBand, maxDecode)}`,
          `**Prefill** ${speedLine(e.prefillTokensPerSec, e.prefillBand, maxPrefill)}`,
          ...(first ? [first] : []),
        ];
  if (q.workflow === 'image')
    for (const img of e.images) lines.push(`**${img.name}** ${imageSpeed(img)} *(${img.basis})*`);
  if (q.workflow === 'video') for (const vid of e.video) lines.push(`**${vid.name}**: ${videoLevel(vid)}`);
  lines.push(`**${q.workflow}**: ${e.workflowSupport.level}`);
  return { name: e.name, value: lines.join('\n'), inline: true };
}

function comparisonFields(v: Verdict): Field[] {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  const maxDecode = Math.max(a.decodeTokensPerSec ?? 0, b.decodeTokensPerSec ?? 0);
  const maxPrefill = Math.max(a.prefillTokensPerSec ?? 0, b.prefillTokensPerSec ?? 0);
  const power = (e: DeviceEvaluation) => {
    const energy = q.workflow !== 'fine-tune' ? energyText(e) : null;
    return `${e.shortName}: ${powerText(e)}, ${e.power.idleW.low}-${e.power.idleW.high} W idle, ${noiseRange(e)}${energy ? `; ${energy}` : ''}`;
  };
  const cost = (e: DeviceEvaluation) => {
    const c = costParts(e);
    return `${e.shortName}: ${c.hardware} + ${c.perYear} → **${c.total}**${c.breakEven ? `, ${c.breakEven}` : ''}`;
  };
  return [
    deviceField(a, v, maxDecode, maxPrefill),
    deviceField(b, v, maxDecode, maxPrefill),
    { name: 'Power & noise', value: [a, b].map(power).join('\n') },
    {
      name: `Cost over ${q.years} years (${q.hoursPerDay} h/day at $${q.kwhPrice.toFixed(2)}/kWh)`,
      value: [a, b].map(cost).join('\n'),
    },
  ];
}

/** Conflicts, caveats and alternatives, after the figures. */
function noteFields(v: Verdict, notes: readonly string[]): Field[] {
  const fields: Field[] = [];
  const conflicts = seedConflicts(v);
  if (conflicts.length)
    fields.push({
      name: '⚠️ Reported figures that physics contradicts',
      value: conflicts.map(conflictLine).join('\n'),
    });
  const caveats = caveatLines(v, notes);
  if (caveats.length) fields.push({ name: 'Caveats', value: caveats.map((c) => `• ${c}`).join('\n') });
  if (v.verdict.alsoConsider.length)
    fields.push({
      name: 'Also consider',
      value: v.verdict.alsoConsider.map((x) => `• **${x.name}**: ${x.why}`).join('\n'),
    });
  return fields;
}

function verdictComponents(v: Verdict, stateId: string, quants: readonly string[]): Row[] {
  const q = v.query;
  const components: Row[] = [];
  const select = (id: string, placeholder: string, options: { label: string; value: string; default: boolean }[]) =>
    components.push({
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.StringSelect, custom_id: id, placeholder, options }],
    });
  if (v.model) {
    const quantIds = quantChoices(v, quants, DISCORD_LIMITS.selectOptions);
    select(
      customId('quant', stateId),
      'Quantization',
      quantIds.map((id) => ({ label: id, value: id, default: id === q.quant })),
    );
    select(
      customId('ctx', stateId),
      'Context',
      contextChoices(v).map((c) => ({
        label: `${c / 1024}k context`,
        value: String(c),
        default: c === q.contextTokens,
      })),
    );
  }
  components.push({
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Primary,
        custom_id: customId('pin', stateId),
        label: 'Pin verdict',
        emoji: { name: '📌' },
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: customId('src', stateId),
        label: 'Sources',
        emoji: { name: '📚' },
      },
    ],
  });
  return components;
}

export function verdictMessage(v: Verdict, o: VerdictMessageOptions): APIInteractionResponseCallbackData {
  const pin = o.existingPin;
  const pinned = pin
    ? `📌 A moderator pinned this question as #${pin.id} (${pin.pinnedAt.slice(0, 10)})${pin.stale ? ', data changed since' : ''}: https://discord.com/channels/${pin.serverId}/${pin.channelId}/${pin.messageId}\n\n`
    : '';
  const embed = fitEmbed({
    title: verdictTitle(v),
    description: `${pinned}**${v.verdict.headline}**\n${v.verdict.reasons.map((r) => `• ${r}`).join('\n')}`,
    color: colorOf(v),
    fields: [...(v.overview ? overviewFields(v) : comparisonFields(v)), ...noteFields(v, o.notes ?? [])],
    footer: { text: footerText(v) },
  });
  if (o.stateId === undefined) return { embeds: [embed] };
  return { embeds: [embed], components: verdictComponents(v, o.stateId, o.quants) };
}

export function sourcesMessage(v: Verdict): APIInteractionResponseCallbackData {
  const lines = v.sources.map((s) => `• ${s.url ? `[${s.title}](${s.url})` : s.title} (${s.date})`);
  return { embeds: [fitEmbed({ title: 'Sources', description: lines.join('\n'), color: TIE_COLOR })] };
}

export function textMessage(content: string): APIInteractionResponseCallbackData {
  return { content: truncate(content, DISCORD_LIMITS.content) };
}

export function pinsMessage(page: Page<PinView>, canModerate: boolean): APIInteractionResponseCallbackData {
  if (page.total === 0)
    return textMessage('No pinned verdicts in this server yet. Moderators pin a verdict with its 📌 button.');
  const embed = fitEmbed({
    title: `Pinned verdicts (${page.total})`,
    description: page.items
      .map(
        (p) =>
          `**#${p.id}** [${p.headline}](https://discord.com/channels/${p.serverId}/${p.channelId}/${p.messageId})\npinned by <@${p.pinnedBy}> <t:${Math.floor(Date.parse(p.pinnedAt) / 1000)}:R>${p.stale ? ' · ⚠️ stale: data changed' : ''}`,
      )
      .join('\n'),
    color: TIE_COLOR,
    footer: { text: `page ${page.page} of ${page.pages}` },
  });
  const components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  if (canModerate) {
    const buttons = page.items.flatMap((p) => [
      {
        type: ComponentType.Button as const,
        style: ButtonStyle.Secondary as const,
        custom_id: encodeCustomId('refresh', p.id),
        label: `Refresh #${p.id}`,
      },
      {
        type: ComponentType.Button as const,
        style: ButtonStyle.Danger as const,
        custom_id: encodeCustomId('unpin', p.id),
        label: `Unpin #${p.id}`,
      },
    ]);
    for (let i = 0; i < buttons.length && components.length < DISCORD_LIMITS.rows - 1; i += 5)
      components.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  }
  if (page.pages > 1) {
    components.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          custom_id: encodeCustomId('page', page.page - 1),
          label: 'Newer',
          disabled: page.page <= 1,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          custom_id: encodeCustomId('page', page.page + 1),
          label: 'Older',
          disabled: page.page >= page.pages,
        },
      ],
    });
  }
  return { embeds: [embed], components };
}

export function settingsMessage(s: ServerSettings, changed: string[]): APIInteractionResponseCallbackData {
  return textMessage(
    `${changed.length ? `Saved ${changed.join(', ')}.\n` : ''}**Server settings**: electricity $${s.kwh_price}/kWh · ${s.hours} h/day · ${s.years} years · default workflow ${s.workflow} · moderator role ${s.moderator_role ? `<@&${s.moderator_role}>` : 'none'}`,
  );
}

/**
 * An ask-back: its question, and one button per choice (5 to a row, 25 at most) whose custom id
 * carries the stored choices' state id and the choice's index. Without a state id (it could not be
 * stored) the choices are listed as questions to ask again. `lead` goes first (the quote of a
 * message answered with the message command).
 */
export function clarifyMessage(
  question: string,
  choices: readonly { label: string; text: string }[],
  stateId: string | undefined,
  lead = '',
): APIInteractionResponseCallbackData {
  const shown = choices.slice(0, DISCORD_LIMITS.rows * 5);
  const head = `${lead}${clarifyText(question)}`;
  if (stateId === undefined)
    return textMessage(`${head}\n${clarifyChoiceLines(shown, false).join('\n')}\n${CLARIFY_ASK_AGAIN}`);
  const buttons = shown.map((c, i) => ({
    type: ComponentType.Button as const,
    style: ButtonStyle.Secondary as const,
    custom_id: encodeCustomId('ask', encodeChoice(stateId, i)),
    label: truncate(c.label, DISCORD_LIMITS.buttonLabel),
  }));
  const components: Row[] = [];
  for (let i = 0; i < buttons.length; i += 5)
    components.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
  return { content: truncate(`${head}\n${CLARIFY_PICK}`, DISCORD_LIMITS.content), components };
}
