import { describe, expect, it } from 'vitest';
import { planHeadline, planInputOf, planKeyOf, planLeader } from '../../../src/core/plan/identity.js';
import { plan, type PlanInput } from '../../../src/core/plan/plan.js';
import type { Plan } from '../../../src/core/plan/types.js';
import { catalog } from '../../helpers/catalog.js';

const planned = (input: PlanInput): Plan => {
  const r = plan(catalog, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe("a plan's identity: what computes it again, its key, its one line", () => {
  it.each<PlanInput>([
    {},
    { devices: ['rtx-3090'], workflow: 'coding', contextTokens: 32768, minTokensPerSec: 20 },
    { current: 'rtx-3090', devices: ['rtx-5090'], resaleUSD: 700, budgetUSD: 3000, allowOffload: true, limit: 3 },
  ])('the input it gives computes the same plan again (%j)', (input) => {
    const p = planned(input);
    expect(planned(planInputOf(p))).toEqual(p);
  });

  it('names machines by id, so two spellings of one plan share a key; another target is another key', () => {
    const a = planned({ devices: ['RTX 3090'], workflow: 'coding' });
    const b = planned({ devices: ['rtx-3090'], workflow: 'coding' });
    expect(planInputOf(a).devices).toEqual(['rtx-3090']);
    expect(planKeyOf(a)).toBe(planKeyOf(b));
    expect(planKeyOf(planned({ devices: ['rtx-3090'], workflow: 'coding', minTokensPerSec: 30 }))).not.toBe(
      planKeyOf(a),
    );
  });

  it('the price of electricity is part of the key only for an upgrade, the one plan that shows it', () => {
    const base = { devices: ['rtx-3090'], workflow: 'coding' as const };
    expect(planKeyOf(planned({ ...base, kwhPrice: 0.4, hoursPerDay: 12 }))).toBe(planKeyOf(planned(base)));
    const up = { current: 'rtx-3090', devices: ['rtx-5090'] };
    expect(planKeyOf(planned({ ...up, kwhPrice: 0.4 }))).not.toBe(planKeyOf(planned(up)));
  });

  it("the headline names each machine's best pick with its quant and speed, and an upgrade's gains", () => {
    const p = planned({ devices: ['rtx-5090', 'mac-studio-m4-max-128gb'], workflow: 'coding' });
    const [g, m] = p.devices;
    expect(p.headline).toBe(
      `Best for coding: RTX 5090: ${g!.picks[0]!.model.name} ${g!.picks[0]!.quant} (~${Math.round(g!.picks[0]!.decodeTokensPerSec!)} tok/s) · ${m!.shortName}: ${m!.picks[0]!.model.name} ${m!.picks[0]!.quant} (~${Math.round(m!.picks[0]!.decodeTokensPerSec!)} tok/s)`,
    );
    expect(planLeader(p)).toBe(g!.picks[0]!.model.id);
    const up = planned({ current: 'rtx-3060-12gb', devices: ['rtx-5090'] });
    expect(up.headline).toMatch(/\. Over RTX 3060 12GB: RTX 5090 adds \d+ models$/);
  });

  it('a machine that runs nothing at the targets says so, and the plan has no leader', () => {
    const p = planned({ devices: ['rtx-3060-12gb'], minTokensPerSec: 900 });
    expect(p.headline).toBe('Best for chat: RTX 3060 12GB: nothing at these targets');
    expect(planLeader(p)).toBe('none');
    expect(planHeadline(p)).toBe(p.headline);
  });
});
