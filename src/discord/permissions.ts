/**
 * Server-wide powers on Discord (settings, the moderator role, pins of other channels), read from the
 * guild itself. An interaction's `member.permissions` is computed for its channel with overwrites
 * applied, and a channel overwrite can carry Administrator or Manage Server into it (discord-api-docs
 * #640, #6798): anyone with Manage Permissions on one channel, which temp-voice and ticket bots hand
 * out, could grant themselves Manage Server there. The guild's roles cannot be edited from a channel.
 */
import { PermissionFlagsBits, type APIGuild } from 'discord-api-types/v10';

/** The powers a member needs in the guild's own permissions. */
export const SERVER_WIDE = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;

/** Who holds server-wide powers in a guild, by ownership and roles. */
export interface GuildManagers {
  ownerId: string;
  /** Roles whose permissions include Administrator or Manage Server; @everyone's id is the guild's. */
  managerRoles: ReadonlySet<string>;
}

/**
 * From GET /guilds/{id}. Base permissions are @everyone's OR every role the member holds, so they
 * include a server-wide bit exactly when one of those roles does: the roles that do are all we keep.
 * A role whose permissions are not a decimal bitfield grants nothing.
 */
export function managersOf(guild: Pick<APIGuild, 'owner_id' | 'roles'>): GuildManagers {
  if (typeof guild.owner_id !== 'string' || !Array.isArray(guild.roles))
    throw new Error('the guild object has no owner_id or roles');
  const managerRoles = new Set<string>();
  for (const role of guild.roles) {
    if (typeof role?.id !== 'string' || typeof role.permissions !== 'string' || !/^\d{1,30}$/.test(role.permissions))
      continue;
    if ((BigInt(role.permissions) & SERVER_WIDE) !== 0n) managerRoles.add(role.id);
  }
  return { ownerId: guild.owner_id, managerRoles };
}

/** The guild's owner, or a member whose base permissions (@everyone and their roles) include Administrator or Manage Server. */
export function holdsServerWide(
  m: GuildManagers,
  guildId: string,
  userId: string,
  memberRoles: readonly string[],
): boolean {
  return userId === m.ownerId || m.managerRoles.has(guildId) || memberRoles.some((r) => m.managerRoles.has(r));
}
