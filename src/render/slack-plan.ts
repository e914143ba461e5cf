/**
 * A plan as Slack Block Kit: a header, a section per machine with its picks as mrkdwn lines (each
 * pick's line, then how to run it in code), a section for what only one machine runs and what an
 * upgrade adds, and a context block for the notes; with a text fallback. Within Slack's limits (50
 * blocks, section text 3000, header 150, 10 context elements) by dropping whole picks and lines.
 * Pure: tests check it against the limits.
 */
import type { PinView } from '../../commands/types.js';
import type { Plan } from '../core/index.js';
import {
  NO_PICKS,
  onlyOnLines,
  pickLine,
  PIN_PLAN_LABEL,
  planDeviceHeading,
  planModelName,
  planPinnedNotice,
  planTitle,
  upgradeLines,
} from './plan-lines.js';
import { truncate } from './shared.js';
import { PIN_ACTION } from './slack-ids.js';
import { SLACK_LIMITS, type Block, type SlackMessage } from './slack.js';

/** Slack reads &, < and > as markup in every text ("<Model GGUF>" would be a broken link). */
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Whole lines under a bold heading, as many as fit in a section, then how many were left out. */
function sectionOf(heading: string, lines: readonly string[], unit: string): Block {
  const head = `*${escape(heading)}*`;
  let shown = lines.length;
  const textOf = (n: number) => {
    const more = lines.length - n;
    return [
      head,
      ...lines.slice(0, n),
      ...(more > 0 ? [`_… and ${more} more ${unit}${more === 1 ? '' : 's'}_`] : []),
    ].join('\n');
  };
  while (shown > 1 && textOf(shown).length > SLACK_LIMITS.sectionText) shown--;
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(textOf(shown), SLACK_LIMITS.sectionText) } };
}

export interface PlanBlocksOptions {
  /** The shared-query id its Pin button carries; without one (it could not be stored) the message has no button. */
  stateId?: string | undefined;
  existingPin?: PinView;
}

export function planBlocks(p: Plan, notes: readonly string[] = [], o: PlanBlocksOptions = {}): SlackMessage {
  const name = planModelName(p);
  const title = planTitle(p);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.header), emoji: true } },
  ];
  if (o.existingPin)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:pushpin: ${escape(planPinnedNotice(o.existingPin))}` }],
    });
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(`*${escape(p.headline)}*`, SLACK_LIMITS.sectionText) },
  });
  for (const d of p.devices)
    blocks.push(
      sectionOf(
        planDeviceHeading(d),
        d.picks.length
          ? d.picks.map((pick, i) => `${escape(pickLine(pick, i + 1))}\n\`${escape(pick.run.replace(/`/g, "'"))}\``)
          : [`_${NO_PICKS}_`],
        'pick',
      ),
    );
  const only = onlyOnLines(p, name).map(escape);
  if (only.length) blocks.push(sectionOf('Only on one machine', only, 'line'));
  const upgrade = upgradeLines(p, name).map(escape);
  if (upgrade.length) blocks.push(sectionOf('Upgrade', upgrade, 'line'));
  const said = [...notes, ...p.notes];
  // The notes' context block and the Pin button come last; room for them is kept when there are
  // more machines than blocks.
  const room = SLACK_LIMITS.blocks - (said.length ? 1 : 0) - (o.stateId !== undefined ? 1 : 0);
  const kept = blocks.slice(0, room);
  if (said.length)
    kept.push({
      type: 'context',
      elements: said
        .slice(0, SLACK_LIMITS.contextElements)
        .map((t) => ({ type: 'mrkdwn', text: truncate(escape(t), SLACK_LIMITS.sectionText) })),
    });
  if (o.stateId !== undefined)
    kept.push({
      type: 'actions',
      block_id: `whichgpu_actions_${o.stateId}`,
      elements: [
        {
          type: 'button',
          action_id: PIN_ACTION,
          text: { type: 'plain_text', text: `:pushpin: ${PIN_PLAN_LABEL}`, emoji: true },
          value: o.stateId,
          style: 'primary',
        },
      ],
    });
  // The notification's words: the title and each machine's best pick.
  const best = p.devices.map((d) => `${d.shortName}: ${d.picks[0] ? d.picks[0].model.name : NO_PICKS}`).join('; ');
  return { text: truncate(`${title}. ${best}`, SLACK_LIMITS.text), blocks: kept };
}
