/** Every command, registered explicitly (greppable and type-checked; no folder scanning). */
import ask from './ask.js';
import compare from './compare.js';
import help from './help.js';
import pin from './pin.js';
import plan from './plan.js';
import settings from './settings.js';
import pins from './pins.js';
import report from './report.js';

export const commands = { ask, compare, plan, pins, settings, pin, help, report } as const;
export { ask, compare, plan, pins, settings, pin, help, report };
