/**
 * What a question in free text is read into, and what the core answers: the `ask` contract of
 * ../shared/ARCHITECTURE.md. One reading for every surface (Slack text, the console, Discord
 * `/ask` and its message command, the CLI).
 */
import type { WorkflowId } from '../catalog/schema.js';
import type { CompareInput, Priority } from '../query/query.js';
import type { CoreError } from '../result.js';
import type { Verdict } from '../verdict/types.js';
import type { Plan } from '../plan/types.js';

export type Intent = 'compare' | 'fit' | 'speed' | 'plan' | 'upgrade' | 'help' | 'other';
export type ModelKind = 'llm' | 'image' | 'video';
export type MachineRole = 'current' | 'candidate' | null;

/** A machine named in the question. */
export interface MachineReading {
  /** A catalog device id, curated or composed ("2x-rtx-3090-ram-64gb", "generic-gpu-16gb"). */
  id: string;
  name: string;
  /** Per GPU as sold, or the unified memory; null when the question did not say and the chip does not fix it. */
  memoryGB: number | null;
  gpus: number;
  /** Host RAM the asker named ("+ 48GB RAM"), for offload. */
  hostRamGB: number | null;
  role: MachineRole;
  /** False for a machine read only by its kind and size ("a 16GB GPU", "my Mac"). */
  known: boolean;
}

export interface ModelReading {
  /** Catalog id; for a model the catalog does not know, the id of its size estimate (or null). */
  id: string | null;
  name: string;
  kind: ModelKind;
  source: 'catalog' | 'huggingface' | 'ollama' | 'estimate';
}

/** One choice of an ask-back: what the button says, and the question to answer when it is picked. */
export interface ClarifyChoice {
  label: string;
  text: string;
}

/** A short question back, when reading on would mean guessing something that changes the answer. */
export interface Clarify {
  question: string;
  choices: ClarifyChoice[];
}

export interface AskReading {
  intent: Intent;
  model: ModelReading | null;
  quant: string | null;
  contextTokens: number | null;
  workflow: WorkflowId | null;
  priority: Priority | null;
  devices: MachineReading[];
  /** The compare input the reading turns into (what the verdict is computed from). */
  input: CompareInput;
  /** How ambiguous phrases were read, for the reply. */
  notes: string[];
}

export interface AskAnswer {
  reading: AskReading;
  /** The verdict (compare, fit, speed, upgrade; the overview for plan), or null. */
  answer: Verdict | null;
  /** For "what can I run" and "should I upgrade" without a model: what each machine runs best. */
  plan?: Plan;
  clarify: Clarify | null;
  error: Pick<CoreError, 'code' | 'message' | 'hint'> | null;
}
