/** render/slack-ids.ts: what the Slack renderer writes, the Slack adapter reads back. */
import { describe, expect, it } from 'vitest';
import {
  decodePinMenuOption,
  decodeSelectOption,
  encodePinMenuOption,
  encodeSelectOption,
  pinMenuActionId,
  PIN_MENU_ACTION,
  stateIdOfButton,
} from '../../src/render/slack-ids.js';

describe('Slack ids', () => {
  it('a select option carries the state id and the picked value', () => {
    expect(encodeSelectOption('abc', 32768)).toBe('abc|32768');
    expect(decodeSelectOption(encodeSelectOption('abc', 'Q8_0'))).toEqual({ stateId: 'abc', value: 'Q8_0' });
    expect(decodeSelectOption('abc')).toEqual({ stateId: 'abc', value: undefined });
    expect(stateIdOfButton('abc')).toBe('abc');
  });

  it("a pin's menu and its options", () => {
    expect(pinMenuActionId(7)).toBe('whichgpu_pin_menu_7');
    expect(PIN_MENU_ACTION.test(pinMenuActionId(7))).toBe(true);
    expect(PIN_MENU_ACTION.test('whichgpu_pin')).toBe(false);
    expect(encodePinMenuOption('refresh', 7)).toBe('refresh|7');
    expect(decodePinMenuOption(encodePinMenuOption('unpin', 7))).toEqual({ verb: 'unpin', id: 7 });
    expect(decodePinMenuOption('delete|7')).toBeUndefined();
  });
});
