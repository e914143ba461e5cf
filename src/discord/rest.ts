/**
 * Discord REST for the handlers (pins, and editing a deferred answer), on @discordjs/rest: it queues
 * requests per route bucket (all pins of one channel share a queue) and waits out 429s for us.
 * The client is loaded on first use: it is the slowest import of the HTTP transport, and most
 * interactions never call Discord back.
 */
import type { REST } from '@discordjs/rest';
import { Routes, type APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { DiscordRest } from './handlers.js';

/** One call, queue, rate-limit waits and the retry included, ends by then: a pin click is answered long before its token expires. */
export const REST_DEADLINE_MS = 10_000;

/**
 * Each attempt gets 2 s, and one retry after a timeout, a reset connection or a 5xx (a pin and
 * an edit are idempotent). A rate limit is waited out when it resets within 4 s, and answered
 * "try again" otherwise. The handler, not this client, keeps Discord's 3 s: it defers a slow pin.
 */
export const INTERACTION_REST_OPTIONS = {
  timeout: 2000,
  retries: 1,
  rejectOnRateLimit: (limit: { retryAfter: number }) => limit.retryAfter > 4000,
} as const;

export async function createRest(token: string, api?: string): Promise<REST> {
  const { REST } = await import('@discordjs/rest');
  return new REST({ version: '10', ...INTERACTION_REST_OPTIONS, ...(api ? { api } : {}) }).setToken(token);
}

export function restPins(token: string, api?: string): DiscordRest {
  let rest: Promise<REST> | undefined;
  return {
    async pinMessage(channelId, messageId, reason) {
      rest ??= createRest(token, api);
      await (await rest).put(Routes.channelMessagesPin(channelId, messageId), { reason, signal: AbortSignal.timeout(REST_DEADLINE_MS) });
    },
    async editOriginal(applicationId, interactionToken, data: APIInteractionResponseCallbackData) {
      rest ??= createRest(token, api);
      // The interaction token authorises the webhook; the bot token is not sent.
      await (await rest).patch(Routes.webhookMessage(applicationId, interactionToken), { body: data, auth: false, signal: AbortSignal.timeout(REST_DEADLINE_MS) });
    },
  };
}
