/** The plan command: Discord's options and free text to one plan input, the server's workflow as the default. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { contextTokensOf, planInputOfOptions } from '../../commands/plan.js';
import type { Reply } from '../../commands/types.js';
import { DEFAULT_SETTINGS } from '../../src/store/settings-schema.js';
import { commandContext } from '../helpers/context.js';
import { storePerTest } from '../helpers/store.js';

const tmp = storePerTest('whichgpu-plan-');

async function planFor(input: Record<string, unknown>) {
  const r: Reply = await commands.plan.execute(commandContext(tmp.store), commands.plan.schema.parse(input));
  if (r.kind !== 'plan') throw new Error(JSON.stringify(r));
  return r;
}

describe('plan command', () => {
  it("reads Discord's options into the plan input", async () => {
    expect(
      planInputOfOptions({
        machine: 'rtx-3090',
        machine2: 'rtx-5090',
        current: 'rtx-3060-12gb',
        workflow: 'rag',
        min_speed: 12.5,
        context: '32k',
        budget: 3000,
      }),
    ).toEqual({
      devices: ['rtx-3090', 'rtx-5090'],
      current: 'rtx-3060-12gb',
      workflow: 'rag',
      contextTokens: 32768,
      minTokensPerSec: 12.5,
      budgetUSD: 3000,
    });
    expect(planInputOfOptions({})).toEqual({});
    expect(contextTokensOf('128k')).toBe(131072);
    expect(contextTokensOf('8192')).toBe(8192);
    expect(contextTokensOf('lots')).toBeUndefined();
  });

  it('reads free text: machines, the one owned, workflow, context, a speed and a budget', async () => {
    const r = await planFor({ text: 'I have a 3090, 5090 for coding at 32k, 20 tok/s, budget $2,500' });
    expect(r.plan.devices.map((d) => [d.id, d.role])).toEqual([
      ['rtx-3090', 'current'],
      ['rtx-5090', 'candidate'],
    ]);
    expect(r.plan.query).toMatchObject({
      workflow: 'coding',
      contextTokens: 32768,
      minTokensPerSec: 20,
      budgetUSD: 2500,
    });
    expect(r.plan.upgrade?.from).toBe('rtx-3090');
  });

  it('a budget in thousands is no context; "I have a 3090" alone is an upgrade over the default pair', async () => {
    const r = await planFor({ text: '5090 $2k budget coding' });
    expect(r.plan.query.contextTokens).toBeNull();
    expect(r.plan.query.budgetUSD).toBe(2000);
    const owned = await planFor({ text: 'I have a 3090' });
    expect(owned.plan.devices.map((d) => [d.id, d.role])).toEqual([
      ['rtx-3090', 'current'],
      ['rtx-5090', 'candidate'],
      ['mac-studio-m4-max-128gb', 'candidate'],
    ]);
  });

  it('explicit options win over the text; the server workflow is the default', async () => {
    await tmp.store.saveSettings(
      'discord',
      'g1',
      { ...DEFAULT_SETTINGS, workflow: 'coding', hours: 12, kwh_price: 0.3 },
      'admin',
    );
    expect((await planFor({ text: 'rtx 3090' })).plan.query).toMatchObject({
      workflow: 'coding',
      hoursPerDay: 12,
      kwhPrice: 0.3,
    });
    expect((await planFor({ text: 'rtx 3090 for rag', workflow: 'chat' })).plan.query.workflow).toBe('chat');
  });

  it('current alone is weighed against the default pair; no machine named plans the default pair, and says so', async () => {
    const up = await planFor({ current: 'rtx-3090' });
    expect(up.plan.devices.map((d) => d.id)).toEqual(['rtx-3090', 'rtx-5090', 'mac-studio-m4-max-128gb']);
    const none = await planFor({ text: 'coding' });
    expect(none.plan.devices.map((d) => d.id)).toEqual(['rtx-5090', 'mac-studio-m4-max-128gb']);
    expect(none.notes).toContain('no machine named: planned for the default pair');
  });

  it('a machine it cannot read is an error value', async () => {
    const r = await commands.plan.execute(commandContext(tmp.store), { devices: ['zzqx-9999'] });
    expect(r.kind).toBe('error');
  });
});
