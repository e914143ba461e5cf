/**
 * A Discord component's custom_id, written and read in one place: "<action>:<arg>", well under
 * Discord's 100 characters. quant, ctx, src and pin carry a verdict's state id; refresh and unpin a
 * pin id; page a page number; ask an ask-back's state id and the index of the choice
 * ("ask:<state id>.<index>"). The renderer encodes, the adapter decodes.
 */
export type ComponentAction = 'quant' | 'ctx' | 'src' | 'pin' | 'refresh' | 'unpin' | 'page' | 'ask';

const ACTIONS = new Set<string>(['quant', 'ctx', 'src', 'pin', 'refresh', 'unpin', 'page', 'ask']);

/** The action and its argument; `action` is undefined for an id this bot does not (or no longer) use. */
export function decodeCustomId(customId: string): { action: ComponentAction | undefined; arg: string | undefined } {
  const [action, arg] = customId.split(':') as [string, string | undefined];
  return { action: ACTIONS.has(action) ? (action as ComponentAction) : undefined, arg };
}

export function encodeCustomId(action: ComponentAction, arg: string | number): string {
  return `${action}:${arg}`;
}

/** The argument of an ask-back's choice button. */
export const encodeChoice = (stateId: string, index: number): string => `${stateId}.${index}`;

/** The state id and choice index of an ask-back's button; undefined when the argument is not one. */
export function decodeChoice(arg: string | undefined): { stateId: string; index: number } | undefined {
  const m = /^([^.]+)\.(\d{1,2})$/.exec(arg ?? '');
  return m ? { stateId: m[1]!, index: Number(m[2]) } : undefined;
}
