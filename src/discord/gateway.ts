/**
 * DISCORD_TRANSPORT=gateway: a discord.js Client with no privileged intents (interactions need
 * none); discord.js handles reconnects. Interactions are turned into the shared InteractionInput
 * and answered with discord.js's reply/update/respond, so both transports run the same handlers.
 * DISCORD_SHARDS runs several gateway shards in this one process (discord.js's WebSocketManager,
 * over @discordjs/ws); every shard feeds the same interaction handler.
 */
import {
  Client,
  Events,
  GatewayCloseCodes,
  GuildMember,
  MessageFlags,
  Options,
  type ClientOptions,
  type Interaction,
} from 'discord.js';
import { storeTrouble } from '../../commands/store-writes.js';
import type { Logger } from '../log.js';
import { deferredMessage, handleInteraction, type DiscordDeps } from './handlers.js';
import type { DiscordMessage, InteractionInput, InteractionResult } from './interaction.js';
import { restPins } from './rest.js';

export function fromDiscordJs(i: Interaction): InteractionInput | undefined {
  const member = i.member;
  const roles =
    member instanceof GuildMember ? [...member.roles.cache.keys()] : Array.isArray(member?.roles) ? member.roles : [];
  const base = {
    id: i.id,
    token: i.token,
    applicationId: i.applicationId,
    guildId: i.guildId,
    channelId: i.channelId ?? '',
    user: { id: i.user.id, name: i.user.globalName ?? i.user.username },
    memberPermissions: i.memberPermissions?.bitfield ?? null,
    memberRoles: roles,
    appPermissions: i.appPermissions?.bitfield ?? null,
  };
  if (i.isChatInputCommand() || i.isAutocomplete()) {
    const options: Record<string, string | number | boolean> = {};
    let focused: { name: string; value: string } | undefined;
    for (const o of i.options.data) {
      if (o.value === undefined) continue;
      options[o.name] = o.value;
      if (o.focused) focused = { name: o.name, value: String(o.value) };
    }
    return {
      ...base,
      kind: i.isAutocomplete() ? 'autocomplete' : 'command',
      command: { name: i.commandName, options, ...(focused ? { focused } : {}) },
    };
  }
  if (i.isMessageContextMenuCommand()) {
    return {
      ...base,
      kind: 'command',
      command: { name: i.commandName, options: {}, target: { id: i.targetId, content: i.targetMessage.content ?? '' } },
    };
  }
  if (i.isModalSubmit()) {
    const fields: Record<string, string> = {};
    for (const [id, f] of i.fields.fields) if ('value' in f && typeof f.value === 'string') fields[id] = f.value;
    return { ...base, kind: 'modal', modal: { customId: i.customId, fields } };
  }
  if (i.isStringSelectMenu() || i.isButton()) {
    return {
      ...base,
      kind: 'component',
      component: { customId: i.customId, values: i.isStringSelectMenu() ? i.values : [], messageId: i.message.id },
    };
  }
  return undefined;
}

/**
 * A message's files as discord.js sends them (multipart, each file's description in the payload's
 * `attachments`). `files: []` on an update or an edit empties the message's attachments, as the
 * HTTP transport's `attachments: []` does; absent, they are left as they are.
 */
function withFiles(m: DiscordMessage) {
  if (!m.files) return m.data;
  const files = m.files.map((f) => ({ attachment: f.data, name: f.name, description: f.description }));
  return { ...m.data, files, ...(files.length ? {} : { attachments: [] }) };
}

export async function respond(i: Interaction, r: InteractionResult, log: Logger): Promise<void> {
  if (r.type === 'autocomplete') {
    if (i.isAutocomplete()) await i.respond(r.choices);
    return;
  }
  if (!i.isRepliable()) return;
  if (r.type === 'modal') {
    if (!i.isModalSubmit()) await i.showModal(r.data);
    return;
  }
  if (r.type === 'update' && (i.isStringSelectMenu() || i.isButton())) {
    await i.update({ ...withFiles(r), allowedMentions: { parse: [] } } as Parameters<typeof i.update>[0]);
    return;
  }
  if (r.type === 'message') {
    await i.reply({
      ...withFiles(r),
      allowedMentions: { parse: [] },
      ...(r.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    } as Parameters<typeof i.reply>[0]);
  }
  if (r.type === 'deferred') {
    await i.deferReply(r.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const message = await deferredMessage(r.later, i.id, log);
    await i.editReply({ ...withFiles(message), allowedMentions: { parse: [] } } as Parameters<typeof i.editReply>[0]);
  }
}

export function attachGateway(client: Client, deps: Omit<DiscordDeps, 'rest'>, token: string): void {
  // Pins get their own short-deadline REST client, to the same API base as the Client.
  const rest = restPins(token, client.options.rest?.api);
  client.on('interactionCreate', (interaction) => {
    const work = (async () => {
      const log = deps.log.child({ interaction: interaction.id, transport: 'gateway' });
      try {
        const input = fromDiscordJs(interaction);
        if (!input) return;
        await respond(interaction, await handleInteraction(input, { ...deps, rest, log }), log);
      } catch (e) {
        // The one boundary for this platform: log with context, tell the user briefly.
        const trouble = storeTrouble(e);
        if (trouble) log.warn({ err: e }, 'interaction refused: the store');
        else log.error({ err: e }, 'interaction failed');
        if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
          await interaction
            .reply({
              content: trouble ?? `Something went wrong on my side (ref ${interaction.id}). Try again in a moment.`,
              flags: MessageFlags.Ephemeral,
            })
            .catch(() => undefined);
        }
      }
    })();
    // A deferred pin goes on after its answer: shutdown waits for it.
    if (deps.inFlight) deps.inFlight.track(work);
  });
  client.on('error', (e) => deps.log.error({ err: e }, 'discord client error'));
}

/** Keeps only the bot's own user or member: nothing here reads a cached one. */
const ownOnly = { maxSize: 0, keepOverLimit: (x: { id: string; client: Client }) => x.id === x.client.user?.id };

/**
 * Without limits discord.js keeps every user an interaction ever carried (100,000 users took
 * 134-188 MB, never released). The handlers read users and members from each interaction, so the
 * caches that grow with people or messages hold nothing; the managers discord.js needs whole
 * (guilds, channels, roles, overwrites) keep its defaults.
 */
export const GATEWAY_CACHE = {
  ...Options.DefaultMakeCacheSettings,
  UserManager: ownOnly,
  GuildMemberManager: ownOnly,
  MessageManager: 0,
  PresenceManager: 0,
  ReactionManager: 0,
  ReactionUserManager: 0,
  ThreadMemberManager: 0,
  VoiceStateManager: 0,
  GuildMessageManager: 0,
  DMMessageManager: 0,
};

/** DISCORD_SHARDS as the config holds it: 'auto', a shard count, or unset. */
export type ShardSetting = 'auto' | number | undefined;

/**
 * 'auto' asks GET /gateway/bot for Discord's recommended count and runs that many shards; N runs
 * shards 0..N-1 of N; unset leaves discord.js's default (one shard, [0, 1]). All of them in this
 * process: discord.js hands `shards`/`shardCount` to @discordjs/ws as shardIds/shardCount.
 */
export function shardOptions(shards: ShardSetting): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (shards === 'auto') return { shards: 'auto' };
  if (typeof shards === 'number') return { shardCount: shards };
  return {};
}

export function createGatewayClient(api?: string, shards?: ShardSetting): Client {
  return new Client({
    intents: [],
    makeCache: Options.cacheWithLimits(GATEWAY_CACHE),
    // Belt and braces for anything cached past the limits (threads, and users kept while in use).
    sweepers: {
      ...Options.DefaultSweeperSettings,
      users: { interval: 3600, filter: () => (u) => u.id !== u.client.user?.id },
    },
    ...(api ? { rest: { api } } : {}),
    ...shardOptions(shards),
  });
}

/**
 * One line per shard event. discord.js resumes or reconnects a dropped shard by itself
 * ("reconnecting", then "resumed" or "ready" again); "disconnected" is a close it will not retry
 * (bad token, invalid shard, sharding required, disallowed intents).
 */
function logShards(client: Client, log: Logger): void {
  client.on(Events.ShardReady, (shard, unavailable) =>
    log.child({ shard }).info({ unavailableGuilds: unavailable?.size ?? 0 }, 'discord shard ready'),
  );
  client.on(Events.ShardReconnecting, (shard) => log.child({ shard }).warn('discord shard disconnected, reconnecting'));
  client.on(Events.ShardResume, (shard, replayedEvents) =>
    log.child({ shard }).info({ replayedEvents }, 'discord shard resumed'),
  );
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.child({ shard }).error({ code: event.code }, 'discord shard disconnected and will not reconnect'),
  );
  client.on(Events.ShardError, (err, shard) => log.child({ shard }).error({ err }, 'discord shard error'));
}

export async function startGateway(
  token: string,
  api: string | undefined,
  deps: Omit<DiscordDeps, 'rest'>,
  log: Logger,
  shards?: ShardSetting,
): Promise<Client> {
  const client = createGatewayClient(api, shards);
  attachGateway(client, deps, token);
  logShards(client, log);
  let shardingRequired = false;
  client.on(Events.ShardDisconnect, (event) => {
    if (event.code === GatewayCloseCodes.ShardingRequired) shardingRequired = true;
  });
  client.once(Events.ClientReady, (c) =>
    log.info({ user: c.user.tag, shards: c.ws.shards.size, shardCount: c.options.shardCount }, 'discord gateway ready'),
  );
  try {
    await client.login(token);
  } catch (e) {
    // Discord closes with 4011 when the bot is in more guilds than its shards may hold.
    if (!shardingRequired) throw e;
    throw new Error(
      `Discord requires more shards than ${shards === undefined ? 'one (DISCORD_SHARDS unset)' : `DISCORD_SHARDS=${shards}`}: set DISCORD_SHARDS=auto or a larger count.`,
      { cause: e },
    );
  }
  return client;
}
