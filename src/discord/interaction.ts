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

function commandOf(data: { name: string; options?: readonly APIApplicationCommandInteractionDataBasicOption[] }): NonNullable<InteractionInput['command']> {
  const command: NonNullable<InteractionInput['command']> = { name: data.name, options: {} };
  for (const o of data.options ?? []) {
    if ('value' in o) {
      command.options[o.name] = o.value as string | number | boolean;
      if ('focused' in o && o.focused) command.focused = { name: o.name, value: String(o.value) };
    }
  }
  return command;
}

function kindOf(type: InteractionType): InteractionInput['kind'] {
  switch (type) {
    case InteractionType.Ping:
      return 'ping';
    case InteractionType.ApplicationCommand:
      return 'command';
    case InteractionType.ApplicationCommandAutocomplete:
      return 'autocomplete';
    case InteractionType.MessageComponent:
      return 'component';
    default:
      throw new UnsupportedInteraction(`interaction type ${type} is not served`);
  }
}

/**
 * Raw payload (HTTP interactions) -> InteractionInput, built in one object (this runs on every
 * request). Throws UnsupportedInteraction for kinds we do not serve.
 */
export function fromApi(raw: APIInteraction): InteractionInput {
  const kind = kindOf(raw.type);
  const user = raw.member?.user ?? raw.user;
  const input: InteractionInput = {
    kind,
    id: raw.id,
    token: raw.token,
    guildId: raw.guild_id ?? null,
    channelId: raw.channel?.id ?? raw.channel_id ?? '',
    user: { id: user?.id ?? 'unknown', name: user?.global_name ?? user?.username ?? 'someone' },
    memberPermissions: raw.member?.permissions ? BigInt(raw.member.permissions) : null,
    memberRoles: raw.member?.roles ?? [],
    appPermissions: raw.app_permissions ? BigInt(raw.app_permissions) : null,
  };
  if (kind === 'command' || kind === 'autocomplete') {
    input.command = commandOf(raw.data as { name: string; options?: APIApplicationCommandInteractionDataBasicOption[] });
  } else if (kind === 'component') {
    const data = raw.data as { custom_id: string; component_type: ComponentType; values?: string[] };
    input.component = { customId: data.custom_id, values: data.values ?? [], messageId: (raw as { message: { id: string } }).message.id };
  }
  return input;
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
