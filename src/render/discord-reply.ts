/**
 * Every reply kind as a Discord message and whether only its asker sees it. A verdict is built by
 * `discordVerdict` (the adapter saves its state and caches the message); the rest are here.
 */
import type { APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { Reply } from '../../commands/types.js';
import { alreadyPinnedText, errorText, refreshedText } from './shared.js';
import { planMessage } from './discord-plan.js';
import { clarifyMessage, pinsMessage, settingsMessage, textMessage, verdictMessage } from './discord.js';
import { discordReport, discordWithCommunity } from './reports.js';

export interface DiscordReply {
  data: APIInteractionResponseCallbackData;
  ephemeral: boolean;
}

/** A verdict message whose selects and buttons carry `stateId` (none when it was not stored). */
export function discordVerdict(
  reply: Extract<Reply, { kind: 'verdict' }>,
  stateId: string | undefined,
  quants: readonly string[],
): APIInteractionResponseCallbackData {
  const message = verdictMessage(reply.verdict, {
    stateId,
    quants,
    ...(reply.existingPin ? { existingPin: reply.existingPin } : {}),
    notes: reply.notes,
  });
  return discordWithCommunity(message, reply.community);
}

/**
 * An ask-back, public so anyone in the conversation can pick; its buttons carry `stateId` (the
 * stored choices; none when they could not be stored, and the choices are then listed).
 */
export function discordClarify(
  reply: Extract<Reply, { kind: 'clarify' }>,
  stateId: string | undefined,
  lead = '',
): DiscordReply {
  return { data: clarifyMessage(reply.question, reply.choices, stateId, lead), ephemeral: false };
}

/** A plan message whose Pin button carries `stateId` (none when it was not stored). */
export function discordPlan(reply: Extract<Reply, { kind: 'plan' }>, stateId: string | undefined): DiscordReply {
  const o = { stateId, ...(reply.existingPin ? { existingPin: reply.existingPin } : {}) };
  return { data: discordWithCommunity(planMessage(reply.plan, reply.notes, o), reply.community), ephemeral: false };
}

const ephemeral = (content: string): DiscordReply => ({ data: textMessage(content), ephemeral: true });

/** Every reply but a verdict (see `discordVerdict`). */
export function discordReply(reply: Exclude<Reply, { kind: 'verdict' }>): DiscordReply {
  switch (reply.kind) {
    case 'pins':
      // Public on purpose (Slack's is private): kept from before the renovation, test/render/replies.test.ts.
      return { data: pinsMessage(reply.page, reply.canModerate), ephemeral: false };
    case 'settings':
      return { data: settingsMessage(reply.settings, reply.changed), ephemeral: true };
    case 'pinned':
      return ephemeral(
        reply.alreadyPinned
          ? alreadyPinnedText(reply.pin.id)
          : `📌 Pinned as #${reply.pin.id}. \`/verdicts\` lists the server's pins.`,
      );
    case 'plan':
      // Public, like a verdict: the channel asked. Without a state id (see `discordPlan`) no Pin button.
      return discordPlan(reply, undefined);
    case 'refreshed':
      return ephemeral(refreshedText(reply.pin.id, reply.changes));
    case 'unpinned':
      return ephemeral(
        `Unpinned #${reply.pin.id} from the list. (The Discord pin stays until a moderator removes it.)`,
      );
    case 'help':
      return ephemeral(`\`\`\`\n${reply.text}\n\`\`\``);
    case 'clarify':
      return discordClarify(reply, undefined);
    case 'error':
      return ephemeral(errorText(reply.error));
    case 'report':
      return discordReport(reply.report);
  }
}
