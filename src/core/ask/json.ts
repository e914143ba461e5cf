/** The `ask --json` / `ask --jsonl` result object of ../shared/ARCHITECTURE.md, field order included. */
import type { Verdict } from '../verdict/types.js';
import type { Plan } from '../plan/types.js';
import type { AskAnswer } from './types.js';

export interface AskJson {
  id: string | null;
  intent: AskAnswer['reading']['intent'];
  model: AskAnswer['reading']['model'];
  quant: string | null;
  contextTokens: number | null;
  workflow: string | null;
  priority: string | null;
  devices: { id: string; name: string; memoryGB: number | null; gpus: number; role: 'current' | 'candidate' | null }[];
  /** The plan for "what can I run" and "should I upgrade" without a model, else the verdict. */
  answer: Verdict | Plan | null;
  clarify: string | null;
  error: { code: string; message: string } | null;
}

/** The contract's shape; `clarify` is the ask-back as one line with its choices. */
export function askJson(a: AskAnswer, id: string | null = null): AskJson {
  const r = a.reading;
  return {
    id,
    intent: r.intent,
    model: r.model,
    quant: r.quant,
    contextTokens: r.contextTokens,
    workflow: r.workflow,
    priority: r.priority,
    devices: r.devices.map((d) => ({ id: d.id, name: d.name, memoryGB: d.memoryGB, gpus: d.gpus, role: d.role })),
    answer: a.plan ?? a.answer,
    clarify: a.clarify ? `${a.clarify.question} ${a.clarify.choices.map((c) => c.label).join(' | ')}` : null,
    error: a.error ? { code: a.error.code, message: a.error.message } : null,
  };
}
