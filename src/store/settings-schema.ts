/**
 * Per-server settings: what moderators may set, with the ranges they are told. Defaults are the
 * seed article's (8 h/day at $0.16/kWh over 3 years). Every figure is in US dollars, the currency
 * hardware is priced in: a `currency` setting (2026-11 and before) only changed the symbol shown, so
 * it is gone; a stored one is ignored when read.
 */
import { z } from 'zod';
import { WorkflowIdSchema } from '../core/index.js';

export const SETTING_KEYS = ['kwh_price', 'hours', 'years', 'workflow', 'moderator_role'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const ServerSettingsSchema = z.object({
  kwh_price: z.coerce.number().min(0, 'kwh_price must be between 0 and 5').max(5, 'kwh_price must be between 0 and 5'),
  hours: z.coerce.number().min(0.1, 'hours must be between 0.1 and 24').max(24, 'hours must be between 0.1 and 24'),
  years: z.coerce
    .number()
    .int('years must be a whole number')
    .min(1, 'years must be between 1 and 10')
    .max(10, 'years must be between 1 and 10'),
  workflow: WorkflowIdSchema,
  /** Role id (Discord) or user group id (Slack) that counts as moderator besides pin permission. */
  moderator_role: z.string().trim().max(100).nullable(),
});
export type ServerSettings = z.infer<typeof ServerSettingsSchema>;

export const DEFAULT_SETTINGS: ServerSettings = {
  kwh_price: 0.16,
  hours: 8,
  years: 3,
  workflow: 'chat',
  moderator_role: null,
};
