/**
 * Discord's limits and the one function that fits an embed within them (title 256, description
 * 4096, 25 fields of 1024, footer 2048, 6000 in all). discord.ts re-exports both.
 */
import type { APIEmbed } from 'discord-api-types/v10';
import { truncate } from './shared.js';

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  content: 2000,
  rows: 5,
  selectOptions: 25,
  customId: 100,
  buttonLabel: 80,
} as const;

function embedLength(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Cuts an embed down to Discord's limits, dropping trailing fields last-first if the total is over. */
export function fitEmbed(e: APIEmbed): APIEmbed {
  const out: APIEmbed = {
    ...e,
    ...(e.title ? { title: truncate(e.title, DISCORD_LIMITS.title) } : {}),
    ...(e.description ? { description: truncate(e.description, DISCORD_LIMITS.description) } : {}),
    ...(e.footer ? { footer: { ...e.footer, text: truncate(e.footer.text, DISCORD_LIMITS.footer) } } : {}),
    fields: (e.fields ?? []).slice(0, DISCORD_LIMITS.fields).map((f) => ({
      ...f,
      name: truncate(f.name, DISCORD_LIMITS.fieldName),
      value: truncate(f.value || '-', DISCORD_LIMITS.fieldValue),
    })),
  };
  while (embedLength(out) > DISCORD_LIMITS.total && out.fields!.length > 0) out.fields!.pop();
  if (embedLength(out) > DISCORD_LIMITS.total && out.description)
    out.description = truncate(
      out.description,
      Math.max(1, out.description.length - (embedLength(out) - DISCORD_LIMITS.total)),
    );
  return out;
}
