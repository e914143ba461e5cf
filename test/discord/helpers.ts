import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { InteractionType, ComponentType, ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';
import { apiMessage, type FakeDiscordApi } from '../fakes/discord-api.js';

export function testKeys(): { privateKey: KeyObject; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKeyHex: der.subarray(der.length - 32).toString('hex') };
}

export function signBody(privateKey: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp, 'content-type': 'application/json' };
}

export const GUILD = '111111111111111111';
export const CHANNEL = '222222222222222222';
export const MESSAGE = '333333333333333333';
export const APP = '444444444444444444';
const MEMBER_PERMS = String(PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel);
const MOD_PERMS = String(
  PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.PinMessages,
);
const APP_PERMS = String(
  PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.PinMessages |
    PermissionFlagsBits.EmbedLinks,
);

/**
 * Manage Server in a CHANNEL's computed bits: what a member with Manage Server through a role sees
 * there, but also what a channel overwrite can put there. It grants nothing server-wide by itself.
 */
export const MANAGER_PERMS = String(
  PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ManageGuild,
);
/** Every bit, as Discord computes a channel's permissions for Administrator (a guild role's, or an overwrite's). */
export const ALL_PERMS = String((1n << 53n) - 1n);

/** Roles of the test guild (`serveGuild`): Manage Server, Administrator, and one that grants nothing server-wide. */
export const MANAGER_ROLE = '121212121212121212';
export const ADMIN_ROLE = '131313131313131313';
export const PLAIN_ROLE = '141414141414141414';
export const OWNER = '151515151515151515';

/** The guild as Discord's GET /guilds/{id} tells it: @everyone may talk, the roles above, OWNER owns it. */
export function serveGuild(fake: FakeDiscordApi, id = GUILD): void {
  fake.setGuild(id, {
    ownerId: OWNER,
    everyone: PermissionFlagsBits.SendMessages | PermissionFlagsBits.ViewChannel,
    roles: [
      {
        id: PLAIN_ROLE,
        name: 'regulars',
        permissions: PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageMessages,
      },
      {
        id: MANAGER_ROLE,
        name: 'managers',
        permissions: PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageGuild,
      },
      { id: ADMIN_ROLE, name: 'admins', permissions: PermissionFlagsBits.Administrator },
    ],
  });
}

let seq = 900000000000000000n;
const nextId = () => String(++seq);

/**
 * Who sends it and from where: `moderator` is Pin Messages in the channel of the interaction;
 * `permissions` replaces the member's bits in that channel; `roles` are the member's role ids;
 * `channel`, `user` and `guild` replace the ids.
 */
export interface From {
  moderator?: boolean;
  permissions?: string;
  roles?: string[];
  channel?: string;
  user?: string;
  guild?: string;
}

function base<E extends Record<string, unknown>>(from: From, extra: E = {} as E) {
  const moderator = from.moderator ?? false;
  const channel = from.channel ?? CHANNEL;
  return {
    id: nextId(),
    application_id: APP,
    token: `tok-${seq}`,
    version: 1,
    guild_id: from.guild ?? GUILD,
    channel_id: channel,
    channel: { id: channel, type: 0 },
    app_permissions: APP_PERMS,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: from.guild ?? GUILD },
    context: 0,
    member: {
      user: {
        id: from.user ?? (moderator ? '555555555555555555' : '666666666666666666'),
        username: moderator ? 'mod' : 'member',
        global_name: null,
        discriminator: '0',
        avatar: null,
      },
      roles: from.roles ?? [],
      permissions: from.permissions ?? (moderator ? MOD_PERMS : MEMBER_PERMS),
      joined_at: '2025-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    },
    ...extra,
  };
}

export const ping = () => ({ id: nextId(), application_id: APP, type: InteractionType.Ping, token: 'tok', version: 1 });

export function command(
  name: string,
  options: Record<string, string | number> = {},
  o: From & { focused?: string } = {},
) {
  return base(o, {
    type: o.focused ? InteractionType.ApplicationCommandAutocomplete : InteractionType.ApplicationCommand,
    data: {
      id: nextId(),
      name,
      type: 1,
      options: Object.entries(options).map(([k, v]) => ({
        name: k,
        type:
          typeof v === 'number'
            ? Number.isInteger(v)
              ? ApplicationCommandOptionType.Integer
              : ApplicationCommandOptionType.Number
            : ApplicationCommandOptionType.String,
        value: v,
        ...(o.focused === k ? { focused: true } : {}),
      })),
    },
  });
}

export function component(
  customId: string,
  values: string[] | undefined,
  o: From & { appPermissions?: string | null; messageId?: string } = {},
) {
  const b = base(o, {
    type: InteractionType.MessageComponent,
    data: values
      ? { custom_id: customId, component_type: ComponentType.StringSelect, values }
      : { custom_id: customId, component_type: ComponentType.Button },
    message: apiMessage({
      id: o.messageId ?? MESSAGE,
      channelId: o.channel ?? CHANNEL,
      author: { id: APP, username: 'whichgpu', discriminator: '0', avatar: null, global_name: null },
      timestamp: '2026-11-23T00:00:00.000Z',
    }),
  });
  if (o.appPermissions === null) delete (b as Record<string, unknown>).app_permissions;
  else if (o.appPermissions !== undefined) b.app_permissions = o.appPermissions;
  return b;
}

/** The message a message command ("Answer with whichgpu") was used on, in CHANNEL. */
export const TARGET = '343434343434343434';

/**
 * "Apps > `name`" on a member's message whose text is `content` (application command type 3): the
 * message arrives in `data.resolved.messages[data.target_id]`.
 */
export function messageCommand(name: string, content: string, o: From & { targetId?: string } = {}) {
  const targetId = o.targetId ?? TARGET;
  return base(o, {
    type: InteractionType.ApplicationCommand,
    data: {
      id: nextId(),
      name,
      type: 3,
      target_id: targetId,
      resolved: {
        messages: {
          [targetId]: {
            ...apiMessage({
              id: targetId,
              channelId: o.channel ?? CHANNEL,
              author: {
                id: '777777777777777777',
                username: 'asker',
                discriminator: '0',
                avatar: null,
                global_name: null,
              },
              timestamp: '2026-11-23T00:00:00.000Z',
            }),
            content,
          },
        },
      },
    },
  });
}
