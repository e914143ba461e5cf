/**
 * Discord REST for the handlers (pins, editing a deferred answer, a guild's roles), on @discordjs/rest: it queues
 * requests per route bucket (all pins of one channel share a queue) and waits out 429s for us.
 * The client is loaded on first use: it is the slowest import of the HTTP transport, and most
 * interactions never call Discord back.
 */
import type { REST } from '@discordjs/rest';
import { Routes, type APIGuild, type APIInteractionResponseCallbackData } from 'discord-api-types/v10';
import { LRUCache } from 'lru-cache';
import { attachmentsOf } from '../render/discord-chart.js';
import type { DiscordRest } from './handlers.js';
import { managersOf, type GuildManagers } from './permissions.js';

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

/**
 * A guild's roles are read within this long, queue and retry included: the answer that needs them
 * (a settings change, a pin of another channel) still goes out inside Discord's 3 s.
 */
export const GUILD_DEADLINE_MS = 2000;
/** Role edits reach us within a minute; a settings session of several changes reads the guild once. */
const GUILD_TTL_MS = 60_000;
/** A failed read is tried again soon, but not on every request while Discord is failing. */
const GUILD_FAILED_TTL_MS = 5_000;
/** An entry keeps only the owner and the roles with server-wide bits: ~490 B with two such roles, ~700 B with five (measured), 5-7 MB at the bound. */
const MAX_GUILDS = 10_000;

export async function createRest(token: string, api?: string): Promise<REST> {
  const { REST } = await import('@discordjs/rest');
  return new REST({ version: '10', ...INTERACTION_REST_OPTIONS, ...(api ? { api } : {}) }).setToken(token);
}

export function restPins(token: string, api?: string): DiscordRest {
  let rest: Promise<REST> | undefined;
  const guilds = new LRUCache<string, Promise<GuildManagers>>({ max: MAX_GUILDS, ttl: GUILD_TTL_MS });
  const readGuild = async (guildId: string): Promise<GuildManagers> => {
    const signal = AbortSignal.timeout(GUILD_DEADLINE_MS);
    let timer: NodeJS.Timeout | undefined;
    // The signal ends the request and its queue wait; the timer also ends a rate-limit wait the client sleeps through.
    const late = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`GET /guilds/${guildId} took over ${GUILD_DEADLINE_MS} ms`)),
          GUILD_DEADLINE_MS,
        )),
    );
    const read = (async () => {
      rest ??= createRest(token, api);
      return managersOf((await (await rest).get(Routes.guild(guildId), { signal })) as APIGuild);
    })();
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  };
  return {
    async pinMessage(channelId, messageId, reason) {
      rest ??= createRest(token, api);
      await (
        await rest
      ).put(Routes.channelMessagesPin(channelId, messageId), { reason, signal: AbortSignal.timeout(REST_DEADLINE_MS) });
    },
    async editOriginal(applicationId, interactionToken, data: APIInteractionResponseCallbackData, files) {
      rest ??= createRest(token, api);
      // The interaction token authorises the webhook; the bot token is not sent. With files the
      // client sends multipart/form-data: the body as payload_json, each file as files[n].
      await (
        await rest
      ).patch(Routes.webhookMessage(applicationId, interactionToken), {
        body: files?.length ? { ...data, attachments: attachmentsOf(files) } : data,
        ...(files?.length
          ? { files: files.map((f) => ({ name: f.name, data: f.data, contentType: 'image/png' })) }
          : {}),
        auth: false,
        signal: AbortSignal.timeout(REST_DEADLINE_MS),
      });
    },
    guildManagers(guildId) {
      const cached = guilds.get(guildId);
      if (cached) return cached;
      const read = readGuild(guildId);
      guilds.set(guildId, read);
      read.catch(() => {
        if (guilds.peek(guildId) === read) guilds.set(guildId, read, { ttl: GUILD_FAILED_TTL_MS });
      });
      return read;
    },
  };
}
