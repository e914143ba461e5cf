/**
 * A plan as one Discord embed: its title, a field per machine with its picks (each pick's line,
 * then how to run it in a code span), a field for what only one machine runs, one for the upgrade,
 * the notes in the footer. Within Discord's limits by dropping whole picks and lines, never by
 * cutting one in the middle. Pure: tests check it against the limits.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIButtonComponent,
  type APIEmbed,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { PinView } from '../../commands/types.js';
import type { Plan } from '../core/index.js';
import { customId } from './discord.js';
import { DISCORD_LIMITS, fitEmbed } from './discord-embed.js';
import {
  NO_PICKS,
  onlyOnLines,
  PIN_PLAN_LABEL,
  pickLine,
  planDeviceHeading,
  planModelName,
  planPinnedNotice,
  planTitle,
  upgradeLines,
} from './plan-lines.js';

const PLAN_COLOR = 0x5865f2;

type Field = NonNullable<APIEmbed['fields']>[number];

/** A list of items as a field value: as many whole items as fit, then how many were left out. */
function valueOf(items: readonly string[], shown: number, unit: string): string {
  const more = items.length - shown;
  const tail = more > 0 ? `\n… and ${more} more ${unit}${more === 1 ? '' : 's'}` : '';
  return `${items.slice(0, shown).join('\n')}${tail}`;
}

interface Section {
  name: string;
  items: string[];
  shown: number;
  unit: string;
  /** A machine's picks are cut before what only one machine runs and the upgrade lines. */
  picks: boolean;
  empty?: string;
}

const fieldOf = (s: Section): Field => ({
  name: s.name,
  value: s.items.length ? valueOf(s.items, s.shown, s.unit) : (s.empty ?? '-'),
});

const lengthOf = (title: string, footer: string, sections: readonly Section[]) =>
  title.length +
  footer.length +
  sections.reduce((n, s) => {
    const f = fieldOf(s);
    return n + f.name.length + f.value.length;
  }, 0);

export interface PlanMessageOptions {
  /** The shared-query id its Pin button carries; without one (it could not be stored) the message has no button. */
  stateId?: string | undefined;
  existingPin?: PinView;
}

export function planEmbed(p: Plan, notes: readonly string[] = [], existingPin?: PinView): APIEmbed {
  const name = planModelName(p);
  const title = planTitle(p).slice(0, DISCORD_LIMITS.title);
  const pinned = existingPin
    ? `📌 ${planPinnedNotice(existingPin)}: https://discord.com/channels/${existingPin.serverId}/${existingPin.channelId}/${existingPin.messageId}\n\n`
    : '';
  const description = `${pinned}**${p.headline}**`.slice(0, DISCORD_LIMITS.description);
  const footer = [...notes, ...p.notes].join('; ').slice(0, DISCORD_LIMITS.footer);
  const sections: Section[] = p.devices.map((d) => ({
    name: planDeviceHeading(d).slice(0, DISCORD_LIMITS.fieldName),
    items: d.picks.map((pick, i) => `${pickLine(pick, i + 1)}\n\`${pick.run.replace(/`/g, "'")}\``),
    shown: d.picks.length,
    unit: 'pick',
    picks: true,
    empty: NO_PICKS,
  }));
  const only = onlyOnLines(p, name);
  if (only.length)
    sections.push({ name: 'Only on one machine', items: only, shown: only.length, unit: 'line', picks: false });
  const upgrade = upgradeLines(p, name);
  if (upgrade.length)
    sections.push({ name: 'Upgrade', items: upgrade, shown: upgrade.length, unit: 'line', picks: false });
  // Each field within 1024: whole items only.
  for (const s of sections) while (s.shown > 1 && fieldOf(s).value.length > DISCORD_LIMITS.fieldValue) s.shown--;
  // The whole embed within 6000: a pick off the longest list first (each machine keeps its best),
  // then lines off the notes' fields.
  while (lengthOf(title, footer, sections) + description.length > DISCORD_LIMITS.total) {
    const cuttable = sections.filter((s) => s.shown > 1);
    const s =
      cuttable.filter((x) => x.picks).sort((a, b) => b.shown - a.shown)[0] ??
      cuttable.filter((x) => !x.picks).sort((a, b) => b.shown - a.shown)[0];
    if (!s) break;
    s.shown--;
  }
  // fitEmbed is the last guard (a single item over a limit is truncated there).
  return fitEmbed({
    title,
    description,
    color: PLAN_COLOR,
    fields: sections.slice(0, DISCORD_LIMITS.fields).map(fieldOf),
    ...(footer ? { footer: { text: footer } } : {}),
  });
}

export function planMessage(
  p: Plan,
  notes: readonly string[] = [],
  o: PlanMessageOptions = {},
): APIInteractionResponseCallbackData {
  const embeds = [planEmbed(p, notes, o.existingPin)];
  if (o.stateId === undefined) return { embeds };
  const pin: APIButtonComponent = {
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    custom_id: customId('pin', o.stateId),
    label: PIN_PLAN_LABEL,
    emoji: { name: '📌' },
  };
  return { embeds, components: [{ type: ComponentType.ActionRow, components: [pin] }] };
}
