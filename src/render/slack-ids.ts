/**
 * Slack's action ids and option values, written and read in one place. A verdict's selects carry
 * "<stateId>|<value>" and its buttons the state id; a pin's overflow menu is "whichgpu_pin_menu_<pin
 * id>" with the options "refresh|<pin id>" and "unpin|<pin id>". The renderer encodes, the adapter
 * decodes.
 */

export const QUANT_ACTION = 'whichgpu_quant';
export const CONTEXT_ACTION = 'whichgpu_context';
export const PIN_ACTION = 'whichgpu_pin';
export const SOURCES_ACTION = 'whichgpu_sources';

/**
 * An ask-back's buttons: "whichgpu_ask_<index>" (unique in the message), each carrying the question
 * of its choice in its value (Slack allows 2,000 characters there, so no state is stored).
 */
export const askActionId = (index: number): string => `whichgpu_ask_${index}`;
export const ASK_ACTION = /^whichgpu_ask_\d+$/;

/** The value of an option in a verdict's quant or context select. */
export const encodeSelectOption = (stateId: string, value: string | number): string => `${stateId}|${value}`;

/** The state id and picked value of a select option; `value` is undefined when there is no "|". */
export function decodeSelectOption(option: string): { stateId: string; value: string | undefined } {
  const [stateId, value] = option.split('|') as [string, string | undefined];
  return { stateId, value };
}

/** The state id a verdict's Sources button carries (anything from a "|" on is not part of it). */
export const stateIdOfButton = (value: string): string => value.split('|')[0]!;

/** The action id of a pin's overflow menu in the pins list, and the pattern every such menu matches. */
export const pinMenuActionId = (pinId: number): string => `whichgpu_pin_menu_${pinId}`;
export const PIN_MENU_ACTION = /^whichgpu_pin_menu_\d+$/;

export type PinMenuVerb = 'refresh' | 'unpin';

export const encodePinMenuOption = (verb: PinMenuVerb, pinId: number): string => `${verb}|${pinId}`;

/** The verb and pin id of a pin menu's option; undefined for a verb this bot does not offer. */
export function decodePinMenuOption(option: string): { verb: PinMenuVerb; id: number } | undefined {
  const [verb, id] = option.split('|');
  return verb === 'refresh' || verb === 'unpin' ? { verb, id: Number(id) } : undefined;
}
