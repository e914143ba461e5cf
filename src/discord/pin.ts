/**
 * 📌 on Discord: the shared pin flow (commands/follow-up.ts) with Discord's port (the bot's own
 * Pin Messages, the REST pin call and its error codes) and Discord's deferral rule.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { startPin, type FollowUpWords, type PinPort } from '../../commands/follow-up.js';
import type { CommandContext, Reply } from '../../commands/types.js';
import type { Logger } from '../log.js';
import { textMessage } from '../render/discord.js';
import type { InteractionInput, InteractionResult } from './interaction.js';

/** Discord error codes the pin call can answer with. */
const PINS_FULL = 30003;
const MISSING_PERMISSIONS = 50013;
const UNKNOWN_MESSAGE = 10008;
const MISSING_ACCESS = 50001;

/** Discord's follow-up sentences. */
export const DISCORD_FOLLOW_UP: FollowUpWords = {
  tooOldToChange: 'That verdict is too old to change; ask again with /compare.',
  tooOldToPin: 'That verdict is too old to pin; ask again with /compare.',
  notModerator: "Only moderators can pin verdicts: members with Pin Messages or the server's moderator role.",
};

/**
 * The pin answer is sent in the initial response when it is ready within this long of the click,
 * queue time in the REST client included; past it the click is deferred and the outcome edits the
 * deferred answer. Discord gives up on an initial response after 3 s; the rest is margin for a
 * busy loop and, on the gateway, the deferral's own round trip.
 */
export const PIN_ANSWER_WITHIN_MS = 2000;

/** The bot's own permission to pin here, from the interaction's `app_permissions`. */
function cannotPin(appPermissions: bigint | null): string | undefined {
  if (appPermissions === null)
    return 'I am not a member of this server, so I cannot pin here. Ask an admin to add the bot with Pin Messages.';
  if ((appPermissions & PermissionFlagsBits.PinMessages) === 0n)
    return 'I need the **Pin Messages** permission in this channel to pin. Ask an admin to grant it.';
  return undefined;
}

/** A refused pin call in plain words (logged here). */
function pinRefused(e: unknown, channelId: string, messageId: string, log: Logger): string {
  const { code, name } = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; name?: unknown };
  log.warn({ err: e, code, channelId, messageId }, 'pin failed');
  if (code === PINS_FULL)
    return "This channel already has 250 pins, Discord's maximum. Unpin an old message and try again.";
  if (code === MISSING_PERMISSIONS || code === MISSING_ACCESS)
    return 'Discord refused: I lack Pin Messages (or access) in this channel. Ask an admin to grant it.';
  if (code === UNKNOWN_MESSAGE) return 'That message no longer exists, so it cannot be pinned.';
  if (name === 'RateLimitError')
    return 'Discord is rate-limiting pins in this channel, so nothing was pinned. Try again in a minute.';
  // A timed-out request may have reached Discord: pinning again is harmless (the pin call is idempotent).
  return 'Discord did not answer the pin request in time, so it may not be pinned. Press 📌 again in a minute; pinning twice is harmless.';
}

export interface DiscordPinDeps {
  rest: { pinMessage(channelId: string, messageId: string, reason: string): Promise<void> };
  log: Logger;
}

/** The pin button's answer; a pin call slower than `PIN_ANSWER_WITHIN_MS` after the click is deferred. */
export async function pinButton(
  i: InteractionInput,
  ctx: CommandContext,
  deps: DiscordPinDeps,
  target: { stateId: string | undefined; messageId: string },
  render: (reply: Reply) => Promise<InteractionResult>,
): Promise<InteractionResult> {
  const started = performance.now();
  const { messageId } = target;
  const port: PinPort = {
    words: DISCORD_FOLLOW_UP,
    cannotPin: () => cannotPin(i.appPermissions),
    pin: () => deps.rest.pinMessage(i.channelId, messageId, `whichgpu: pinned by ${i.user.name} (${i.user.id})`),
    refused: (e) => pinRefused(e, i.channelId, messageId, deps.log),
  };
  const start = await startPin(ctx, port, { channelId: i.channelId, messageId, stateId: target.stateId });
  if ('done' in start) return render(start.done);
  return answerWithin(start.pinning.then(render), PIN_ANSWER_WITHIN_MS - (performance.now() - started));
}

/**
 * `outcome` as the initial response when it settles within `ms`; otherwise a deferred answer that it
 * replaces (private unless `ephemeral` is false: a public answer is deferred in public).
 */
export async function answerWithin(
  outcome: Promise<InteractionResult>,
  ms: number,
  ephemeral = true,
): Promise<InteractionResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))));
  const first = await Promise.race([outcome, late]).finally(() => clearTimeout(timer));
  if (first) return first;
  const later = outcome.then((r) =>
    r.type === 'message' || r.type === 'update'
      ? { data: r.data, ...(r.files ? { files: r.files } : {}) }
      : { data: textMessage('Done.') },
  );
  return { type: 'deferred', ephemeral, later };
}
