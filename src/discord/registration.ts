/**
 * Application command JSON, built from the same definitions in commands/ that the handlers use,
 * and the bulk PUT that registers it (one guild while developing, else global).
 */
import { REST } from '@discordjs/rest';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  Routes,
  type APIApplicationCommandOption,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { ANSWER_WITH } from '../../commands/ask.js';
import { commands } from '../../commands/index.js';
import { reportsCommand } from '../../commands/report.js';
import type { OptionSpec } from '../../commands/types.js';

const OPTION_TYPE = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
} as const;

function option(o: OptionSpec): APIApplicationCommandOption {
  // The union of option shapes is keyed on `type`; the spec guarantees the pairing.
  return {
    name: o.name,
    description: o.description.slice(0, 100),
    type: OPTION_TYPE[o.type],
    required: o.required ?? false,
    ...(o.choices ? { choices: o.choices.slice(0, 25).map((c) => ({ name: c, value: c })) } : {}),
    ...(o.autocomplete ? { autocomplete: true } : {}),
    ...(o.min !== undefined && o.type !== 'string' ? { min_value: o.min } : {}),
    ...(o.max !== undefined && o.type !== 'string' ? { max_value: o.max } : {}),
    ...(o.maxLength !== undefined && o.type === 'string' ? { max_length: o.maxLength } : {}),
  } as APIApplicationCommandOption;
}

/** Guild installs and user installs, usable in servers, DMs with the bot and private channels. */
const EVERYWHERE = {
  integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel],
};

/**
 * The slash commands, then the message command (type 3, "Apps > Answer with whichgpu" on any
 * message), which has a name that may hold capitals and spaces, and no description or options.
 */
export function commandDefinitions(): RESTPutAPIApplicationCommandsJSONBody {
  const slash = [commands.ask, commands.compare, commands.plan, commands.pins, commands.settings, commands.help].map(
    (c) => ({
      name: c.name,
      description: c.description.slice(0, 100),
      options: c.options.map(option),
      // Everyone may ask and look; who may pin or change settings is checked per interaction.
      default_member_permissions: null,
      ...EVERYWHERE,
    }),
  );
  // Reports belong to a server and its moderators: offered in servers only.
  const reports = [commands.report, reportsCommand].map((c) => ({
    name: c.name,
    description: c.description.slice(0, 100),
    options: c.options.map(option),
    default_member_permissions: null,
    ...EVERYWHERE,
    contexts: [InteractionContextType.Guild],
  }));
  return [
    ...slash,
    ...reports,
    { name: ANSWER_WITH, type: ApplicationCommandType.Message, default_member_permissions: null, ...EVERYWHERE },
  ];
}

export async function registerCommands(o: {
  token: string;
  applicationId: string;
  guildId?: string;
  api?: string;
}): Promise<number> {
  const rest = new REST({ version: '10', ...(o.api ? { api: o.api } : {}) }).setToken(o.token);
  const route = o.guildId
    ? Routes.applicationGuildCommands(o.applicationId, o.guildId)
    : Routes.applicationCommands(o.applicationId);
  const result = (await rest.put(route, { body: commandDefinitions() })) as unknown[];
  return result.length;
}
