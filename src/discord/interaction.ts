/**
 * One shape for an interaction, whichever transport delivered it. The HTTP endpoint reads it from
 * the raw payload, the gateway from discord.js's Interaction; the same handlers answer both.
 */
import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import { attachmentsOf, type MessageFile } from '../render/discord-chart.js';

export interface InteractionInput {
  kind: 'ping' | 'command' | 'autocomplete' | 'component' | 'modal';
  id: string;
  token: string;
  /** The application the interaction is for: a deferred answer is edited through its webhook. */
  applicationId: string;
  /** Absent in DMs and for user-installed apps outside a guild. */
  guildId: string | null;
  channelId: string;
  user: { id: string; name: string };
  /** The member's permissions in this channel (null outside a guild). */
  memberPermissions: bigint | null;
  memberRoles: string[];
  /** The bot's permissions in this channel (null when it is not a member, e.g. user installs). */
  appPermissions: bigint | null;
  command?: {
    name: string;
    options: Record<string, string | number | boolean>;
    focused?: { name: string; value: string };
    /** A message command's message (application command type 3): its id and text ('' when it has none). */
    target?: { id: string; content: string };
  };
  component?: { customId: string; values: string[]; messageId: string };
  /** A submitted modal: its custom id and the value of each text input, by custom id. */
  modal?: { customId: string; fields: Record<string, string> };
}

/**
 * A message and the files that go with it (a chart). `files` absent: the message as it is; present,
 * even empty, on an update: the message's attachments become these (an old chart is removed).
 */
export interface DiscordMessage {
  data: APIInteractionResponseCallbackData;
  files?: MessageFile[];
}

export type InteractionResult =
  | { type: 'pong' }
  | ({ type: 'message'; ephemeral: boolean } & DiscordMessage)
  | ({ type: 'update' } & DiscordMessage)
  | { type: 'autocomplete'; choices: { name: string; value: string }[] }
  /** A form to fill in (callback type 9): a multi-line paste, which a slash command's options cannot hold. */
  | { type: 'modal'; data: APIModalInteractionResponseCallbackData }
  /**
   * "Thinking..." now (ephemeral or not); `later` settles with the message that replaces it, through
   * the interaction's webhook (valid for 15 minutes). For work that may outlast Discord's 3 s.
   */
  | { type: 'deferred'; ephemeral: boolean; later: Promise<DiscordMessage> };

/** A decoded payload, or why it is not one we can serve (answered 400). */
export type Decoded = { ok: true; input: InteractionInput } | { ok: false; error: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A permission bitfield: a decimal string (null when absent); undefined when it is not one. */
function bitsOf(v: unknown): bigint | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  return typeof v === 'string' && /^\d{1,30}$/.test(v) ? BigInt(v) : undefined;
}

/** A message command's target: `data.resolved.messages[data.target_id]`; content is '' for a message without text. */
function targetOf(data: Json): { id: string; content: string } | undefined {
  if (typeof data.target_id !== 'string') return undefined;
  const messages = isObject(data.resolved) ? data.resolved.messages : undefined;
  const message = isObject(messages) ? messages[data.target_id] : undefined;
  const content = isObject(message) && typeof message.content === 'string' ? message.content : '';
  return { id: data.target_id, content };
}

function commandOf(data: unknown): NonNullable<InteractionInput['command']> | undefined {
  if (!isObject(data) || typeof data.name !== 'string') return undefined;
  if (data.type === ApplicationCommandType.Message) {
    const target = targetOf(data);
    return target ? { name: data.name, options: {}, target } : undefined;
  }
  const options = data.options ?? [];
  if (!Array.isArray(options)) return undefined;
  const command: NonNullable<InteractionInput['command']> = { name: data.name, options: {} };
  for (const o of options as unknown[]) {
    if (!isObject(o) || typeof o.name !== 'string') return undefined;
    if (o.value === undefined) continue;
    if (typeof o.value !== 'string' && typeof o.value !== 'number' && typeof o.value !== 'boolean') return undefined;
    command.options[o.name] = o.value;
    if (o.focused === true) command.focused = { name: o.name, value: String(o.value) };
  }
  return command;
}

function componentOf(data: unknown, message: unknown): InteractionInput['component'] {
  if (!isObject(data) || typeof data.custom_id !== 'string' || !isObject(message) || typeof message.id !== 'string')
    return undefined;
  const values = data.values ?? [];
  return isStrings(values) ? { customId: data.custom_id, values, messageId: message.id } : undefined;
}

/**
 * A modal's text inputs, by custom id: each in a label component (`component`) or, the older
 * way, in an action row (`components`).
 */
function modalOf(data: unknown): InteractionInput['modal'] {
  if (!isObject(data) || typeof data.custom_id !== 'string' || !Array.isArray(data.components)) return undefined;
  const fields: Record<string, string> = {};
  const inputs = (data.components as unknown[]).flatMap((c) =>
    !isObject(c) ? [] : isObject(c.component) ? [c.component] : Array.isArray(c.components) ? c.components : [],
  );
  for (const x of inputs as unknown[])
    if (isObject(x) && typeof x.custom_id === 'string' && typeof x.value === 'string') fields[x.custom_id] = x.value;
  return { customId: data.custom_id, fields };
}

const KINDS: Partial<Record<number, InteractionInput['kind']>> = {
  [InteractionType.Ping]: 'ping',
  [InteractionType.ApplicationCommand]: 'command',
  [InteractionType.ApplicationCommandAutocomplete]: 'autocomplete',
  [InteractionType.MessageComponent]: 'component',
  [InteractionType.ModalSubmit]: 'modal',
};

/**
 * Raw payload (HTTP interactions) -> InteractionInput, built in one object (this runs on every
 * request). A signed payload can still be malformed (a test payload, a field Discord changed):
 * decoding failures are values, so the endpoint answers 400 instead of throwing into a 500.
 */
export function decodeInteraction(raw: Json & { type: number }): Decoded {
  const kind = KINDS[raw.type];
  if (!kind) return { ok: false, error: `interaction type ${raw.type} is not served` };
  if (typeof raw.id !== 'string' || typeof raw.token !== 'string')
    return { ok: false, error: 'interaction without an id or token' };
  const member = raw.member ?? undefined;
  if (member !== undefined && !isObject(member)) return { ok: false, error: 'member is not an object' };
  const user = member?.user ?? raw.user;
  if (user !== undefined && !(isObject(user) && typeof user.id === 'string'))
    return { ok: false, error: 'user without an id' };
  const memberPermissions = bitsOf(member?.permissions);
  const appPermissions = bitsOf(raw.app_permissions);
  if (memberPermissions === undefined || appPermissions === undefined)
    return { ok: false, error: 'permissions are not a bitfield' };
  const roles = member?.roles ?? [];
  if (!isStrings(roles)) return { ok: false, error: 'member.roles is not a list of ids' };
  const channel = isObject(raw.channel) && typeof raw.channel.id === 'string' ? raw.channel.id : raw.channel_id;
  const input: InteractionInput = {
    kind,
    id: raw.id,
    token: raw.token,
    applicationId: typeof raw.application_id === 'string' ? raw.application_id : '',
    guildId: typeof raw.guild_id === 'string' ? raw.guild_id : null,
    channelId: typeof channel === 'string' ? channel : '',
    user: { id: (user?.id as string | undefined) ?? 'unknown', name: nameOf(user) },
    memberPermissions,
    memberRoles: roles,
    appPermissions,
  };
  if (kind === 'command' || kind === 'autocomplete') {
    input.command = commandOf(raw.data);
    if (!input.command) return { ok: false, error: 'command data is malformed' };
  } else if (kind === 'component') {
    input.component = componentOf(raw.data, raw.message);
    if (!input.component) return { ok: false, error: 'component data is malformed' };
  } else if (kind === 'modal') {
    input.modal = modalOf(raw.data);
    if (!input.modal) return { ok: false, error: 'modal data is malformed' };
  }
  return { ok: true, input };
}

function nameOf(user: Json | undefined): string {
  const name = user?.global_name ?? user?.username;
  return typeof name === 'string' ? name : 'someone';
}

/** InteractionResult -> the HTTP response body Discord expects. */
export function toApiResponse(result: InteractionResult): APIInteractionResponse {
  switch (result.type) {
    case 'pong':
      return { type: InteractionResponseType.Pong };
    case 'message':
      return {
        type: InteractionResponseType.ChannelMessageWithSource,
        data: {
          ...result.data,
          ...(result.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
          ...(result.files?.length ? { attachments: attachmentsOf(result.files) } : {}),
          allowed_mentions: { parse: [] },
        },
      };
    case 'update':
      return {
        type: InteractionResponseType.UpdateMessage,
        data: {
          ...result.data,
          ...(result.files ? { attachments: attachmentsOf(result.files) } : {}),
          allowed_mentions: { parse: [] },
        },
      };
    case 'autocomplete':
      return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: result.choices } };
    case 'modal':
      return { type: InteractionResponseType.Modal, data: result.data };
    case 'deferred':
      return {
        type: InteractionResponseType.DeferredChannelMessageWithSource,
        ...(result.ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
      };
  }
}
