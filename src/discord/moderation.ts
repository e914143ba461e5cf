/**
 * Who may moderate and administer on Discord: the rule and its words. Settings, the moderator
 * role and pins of other channels take server-wide powers; pinning in the interaction's own
 * channel also takes that channel's Pin Messages.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommandContext, ModelLookup, PermissionWords } from '../../commands/types.js';
import type { Catalog } from '../core/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { InteractionInput } from './interaction.js';
import { holdsServerWide, type GuildManagers } from './permissions.js';

/** Who may moderate and administer, in Discord's words. */
export const DISCORD_WORDS: PermissionWords = {
  moderators: 'moderators',
  administrators: 'server managers',
  moderatorHint: 'Ask someone with the Pin Messages permission in that channel, Manage Server, or the moderator role.',
  adminHint: 'Ask someone with the Manage Server permission or the moderator role.',
  elsewhereHint:
    'Pin Messages counts in the channel the verdict was pinned in: do it from there, or ask someone with Manage Server or the moderator role.',
};

/** The member's server-wide powers; 'unchecked' when the guild could not be read (refused, but said so). */
export type Powers = 'yes' | 'no' | 'unchecked';

/** What the moderation rule reads: the store's moderator role, the guild's roles from Discord. */
export interface ModerationDeps {
  catalog: Catalog;
  store: Store;
  log: Logger;
  rest: { guildManagers(guildId: string): Promise<GuildManagers> };
  /** Learns a model the catalog does not hold; absent when lookup is off. */
  lookup?: ModelLookup | undefined;
}

/**
 * Settings, the moderator role and pins of other channels: the moderator role, or Administrator or
 * Manage Server in the guild's own permissions, or ownership. Never the interaction's
 * `member.permissions`: they are the channel's, and a channel overwrite can put these bits there
 * (see ./permissions.ts). Asked at most once an interaction; the guild read is cached a minute.
 */
export function serverPowers(i: InteractionInput, deps: ModerationDeps): () => Promise<Powers> {
  let answer: Promise<Powers> | undefined;
  const ask = async (guildId: string): Promise<Powers> => {
    const role = (await deps.store.settings('discord', guildId)).moderator_role;
    if (role !== null && i.memberRoles.includes(role)) return 'yes';
    try {
      return holdsServerWide(await deps.rest.guildManagers(guildId), guildId, i.user.id, i.memberRoles) ? 'yes' : 'no';
    } catch (e) {
      deps.log.warn({ err: e, guildId }, "could not read the guild's roles; refusing server-wide powers");
      return 'unchecked';
    }
  };
  return () => (answer ??= i.guildId === null ? Promise.resolve('no') : ask(i.guildId));
}

/** The command context of an interaction, with Discord's moderation rule. */
export function contextFor(i: InteractionInput, deps: ModerationDeps, powers: () => Promise<Powers>): CommandContext {
  return {
    catalog: deps.catalog,
    store: deps.store,
    platform: 'discord',
    serverId: i.guildId ?? `dm:${i.user.id}`,
    channelId: i.channelId,
    user: i.user,
    permissionWords: DISCORD_WORDS,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
    canAdminister: async () => (await powers()) === 'yes',
    // Pin Messages (split from Manage Messages in 2025) is the channel's, so it counts only in the interaction's own.
    canModerate: async (channelId = i.channelId) =>
      (i.guildId !== null &&
        channelId === i.channelId &&
        ((i.memberPermissions ?? 0n) & PermissionFlagsBits.PinMessages) !== 0n) ||
      (await powers()) === 'yes',
  };
}
