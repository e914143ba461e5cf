/**
 * One shape for an interaction, whichever transport delivered it. The HTTP endpoint reads it from
 * the raw payload, the gateway from discord.js's Interaction; the same handlers answer both.
 */
import {
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIInteraction,
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';

export interface InteractionInput {
  kind: 'ping' | 'command' | 'autocomplete' | 'component';
  id: string;
  token: string;
  /** Absent in DMs and for user-installed apps outside a guild. */
  guildId: string | null;
  channelId: string;
  user: { id: string; name: string };
  /** The member's permissions in this channel (null outside a guild). */
  memberPermissions: bigint | null;
  memberRoles: string[];
  /** The bot's permissions in this channel (null when it is not a member, e.g. user installs). */
  appPermissions: bigint | null;
  command?: { name: string; options: Record<string, string | number | boolean>; focused?: { name: string; value: string } };
  component?: { customId: string; values: string[]; messageId: string };
}

export type InteractionResult =
  | { type: 'pong' }
  | { type: 'message'; data: APIInteractionResponseCallbackData; ephemeral: boolean }
  | { type: 'update'; data: APIInteractionResponseCallbackData }
  | { type: 'autocomplete'; choices: { name: string; value: string }[] };

export class UnsupportedInteraction extends Error {}

function optionsOf(opts: readonly APIApplicationCommandInteractionDataBasicOption[] | undefined) {
  const options: Record<string, string | number | boolean> = {};
  let focused: { name: string; value: string } | undefined;
  for (const o of opts ?? []) {
    if ('value' in o) {
      options[o.name] = o.value as string | number | boolean;
      if ('focused' in o && o.focused) focused = { name: o.name, value: String(o.value) };
    }
  }
  return { options, ...(focused ? { focused } : {}) };
}

/** Raw payload (HTTP interactions) -> InteractionInput. Throws UnsupportedInteraction for kinds we do not serve. */
export function fromApi(raw: APIInteraction): InteractionInput {
  const user = raw.member?.user ?? raw.user;
  const base = {
    id: raw.id,
    token: raw.token,
    guildId: raw.guild_id ?? null,
    channelId: raw.channel?.id ?? raw.channel_id ?? '',
    user: { id: user?.id ?? 'unknown', name: user?.global_name ?? user?.username ?? 'someone' },
    memberPermissions: raw.member?.permissions ? BigInt(raw.member.permissions) : null,
    memberRoles: raw.member?.roles ?? [],
    appPermissions: raw.app_permissions ? BigInt(raw.app_permissions) : null,
  };
  switch (raw.type) {
    case InteractionType.Ping:
      return { ...base, kind: 'ping' };
    case InteractionType.ApplicationCommand:
    case InteractionType.ApplicationCommandAutocomplete: {
      const data = raw.data as { name: string; options?: APIApplicationCommandInteractionDataBasicOption[] };
      return {
        ...base,
        kind: raw.type === InteractionType.ApplicationCommand ? 'command' : 'autocomplete',
        command: { name: data.name, ...optionsOf(data.options) },
      };
    }
    case InteractionType.MessageComponent: {
      const data = raw.data as { custom_id: string; component_type: ComponentType; values?: string[] };
      return { ...base, kind: 'component', component: { customId: data.custom_id, values: data.values ?? [], messageId: raw.message.id } };
    }
    default:
      throw new UnsupportedInteraction(`interaction type ${raw.type} is not served`);
  }
}

/** InteractionResult -> the HTTP response body Discord expects. */
export function toApiResponse(result: InteractionResult): APIInteractionResponse {
  switch (result.type) {
    case 'pong':
      return { type: InteractionResponseType.Pong };
    case 'message':
      return {
        type: InteractionResponseType.ChannelMessageWithSource,
        data: { ...result.data, ...(result.ephemeral ? { flags: MessageFlags.Ephemeral } : {}), allowed_mentions: { parse: [] } },
      };
    case 'update':
      return { type: InteractionResponseType.UpdateMessage, data: { ...result.data, allowed_mentions: { parse: [] } } };
    case 'autocomplete':
      return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: result.choices } };
  }
}
