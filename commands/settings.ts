/** /settings: show the server's settings; moderators set them with key=value pairs. */
import { z } from 'zod';
import { SETTING_KEYS, ServerSettingsSchema, type SettingKey } from '../src/store/settings-schema.js';
import { tryWrite, writeFailed } from './store-writes.js';
import { forbidden, type Command } from './types.js';

export const SettingsInputSchema = z.object({
  /** Pairs to set; empty shows the settings. */
  set: z.record(z.string(), z.string()).default({}),
});
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

/** "kwh_price=0.30 hours=12" -> { kwh_price: "0.30", hours: "12" }; anything else is an error message. */
export function parseSettingPairs(
  text: string,
): { ok: true; set: Record<string, string> } | { ok: false; message: string } {
  const set: Record<string, string> = {};
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([a-z_]+)=(.*)$/i.exec(word);
    if (!m)
      return {
        ok: false,
        message: `"${word.slice(0, 40)}" is not key=value. Example: settings set kwh_price=0.30 hours=12`,
      };
    set[m[1]!.toLowerCase()] = m[2]!;
  }
  return { ok: true, set };
}

export default {
  name: 'settings',
  description: "This server's electricity price, hours, years, default workflow and moderator role.",
  options: [
    { name: 'kwh_price', description: 'Electricity price per kWh in US dollars (0-5)', type: 'number', min: 0, max: 5 },
    { name: 'hours', description: 'Default hours a day under load (0.1-24)', type: 'number', min: 0.1, max: 24 },
    { name: 'years', description: 'Default years of ownership (1-10)', type: 'integer', min: 1, max: 10 },
    {
      name: 'workflow',
      description: 'Default workflow',
      type: 'string',
      choices: ['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'training', 'serving'],
    },
    {
      name: 'moderator_role',
      description: 'Role (Discord) or user group (Slack) id that counts as moderator; "none" clears it',
      type: 'string',
    },
  ],
  schema: SettingsInputSchema,
  async execute(ctx, input) {
    const current = await ctx.store.settings(ctx.platform, ctx.serverId);
    const keys = Object.keys(input.set);
    if (keys.length === 0) return { kind: 'settings', settings: current, changed: [] };
    if (!(await ctx.canAdminister())) return forbidden(ctx, 'change settings', { admin: true });
    if (keys.includes('currency')) {
      return {
        kind: 'error',
        error: {
          code: 'INVALID_QUERY',
          message:
            'Every figure is in US dollars, the currency hardware is priced in, so there is no currency setting.',
          hint: 'Give kwh_price in dollars, e.g. settings set kwh_price=0.35',
        },
      };
    }
    const unknown = keys.filter((k) => !(SETTING_KEYS as readonly string[]).includes(k));
    if (unknown.length) {
      return {
        kind: 'error',
        error: {
          code: 'INVALID_QUERY',
          message: `Unknown setting ${unknown.join(', ')}.`,
          hint: `Settings: ${SETTING_KEYS.join(', ')}.`,
        },
      };
    }
    const next: Record<string, unknown> = { ...current };
    for (const k of keys as SettingKey[]) {
      const v = input.set[k]!;
      next[k] = k === 'moderator_role' && /^(none|null|-)?$/i.test(v) ? null : v;
    }
    const parsed = ServerSettingsSchema.safeParse(next);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return {
        kind: 'error',
        error: { code: 'OUT_OF_RANGE', message: issue.message, hint: `Check ${issue.path.join('.')}.` },
      };
    }
    const saved = await tryWrite(async () =>
      ctx.store.saveSettings(ctx.platform, ctx.serverId, parsed.data, ctx.user.id),
    );
    if (!saved.ok) return writeFailed('save the settings', 'they are unchanged', saved.refused);
    return { kind: 'settings', settings: saved.value, changed: keys };
  },
} satisfies Command<SettingsInput>;
