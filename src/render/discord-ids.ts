/**
 * A Discord component's custom_id, written and read in one place: "<action>:<arg>", well under
 * Discord's 100 characters. quant, ctx, src and pin carry a verdict's state id; refresh and unpin a
 * pin id; page a page number. The renderer encodes, the adapter decodes.
 */
export type ComponentAction = 'quant' | 'ctx' | 'src' | 'pin' | 'refresh' | 'unpin' | 'page';

const ACTIONS = new Set<string>(['quant', 'ctx', 'src', 'pin', 'refresh', 'unpin', 'page']);

/** The action and its argument; `action` is undefined for an id this bot does not (or no longer) use. */
export function decodeCustomId(customId: string): { action: ComponentAction | undefined; arg: string | undefined } {
  const [action, arg] = customId.split(':') as [string, string | undefined];
  return { action: ACTIONS.has(action) ? (action as ComponentAction) : undefined, arg };
}

export function encodeCustomId(action: ComponentAction, arg: string | number): string {
  return `${action}:${arg}`;
}
