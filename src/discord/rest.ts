/**
 * Discord REST for the handlers (pins), on @discordjs/rest: queues per route bucket and honours
 * 429 Retry-After for us. Interactions must be answered within 3 s, so the deadline is short.
 * The client is loaded on first use: it is the slowest import of the HTTP transport, and most
 * interactions never call Discord back.
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import type { DiscordRest } from './handlers.js';

/**
 * One attempt, 2 s at most, and a rate limit is an answer rather than a wait: the interaction
 * must be answered inside Discord's 3 s, and "try again in a minute" beats no answer.
 */
export const INTERACTION_REST_OPTIONS = { timeout: 2000, retries: 0, rejectOnRateLimit: () => true } as const;

export async function createRest(token: string, api?: string): Promise<REST> {
  const { REST } = await import('@discordjs/rest');
  return new REST({ version: '10', ...INTERACTION_REST_OPTIONS, ...(api ? { api } : {}) }).setToken(token);
}

export function restPins(token: string, api?: string): DiscordRest {
  let rest: Promise<REST> | undefined;
  return {
    async pinMessage(channelId, messageId, reason) {
      rest ??= createRest(token, api);
      await (await rest).put(Routes.channelMessagesPin(channelId, messageId), { reason });
    },
  };
}
