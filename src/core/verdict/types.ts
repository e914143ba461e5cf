/**
 * The verdict's shape. `compare --json` prints this object, so its serialised form is a contract:
 * field names and their order do not change without a version note.
 */
import type { Band } from '../catalog/specs.js';
import type { CostEstimate } from '../physics/cost.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { NormalizedQuery } from '../query/query.js';

export type Winner = string | 'tie' | 'neither';

/**
 * What a renderer needs to word a seed conflict in its own way, so renderers never split the
 * flag's strings apart. Left out of `compare --json` (verdictJson), which keeps its `claim`,
 * `source` and `estimate` strings.
 */
export interface ConflictFacts {
  /** The reported figure: "18 tok/s", "6-8 tok/s" or "cannot run". */
  claimed: string;
  /** The claim as the source put it. */
  note: string;
  /** Who reported it: the source title before its first colon ("Compute Market"). */
  publisher: string;
}

export interface SeedConflictFlag {
  kind: 'seed-conflict';
  device: string;
  subject: string;
  /** "<claimed> (<note>)". */
  claim: string;
  /** The source's full title. */
  source: string;
  /** What physics says instead, worded. */
  estimate: string;
  facts: ConflictFacts;
}

export type Flag =
  | SeedConflictFlag
  | { kind: 'capacity'; device: string; message: string; capacityTokensPerDay: number; requestedTokensPerDay: number }
  | { kind: 'apple-wired-limit'; device: string; message: string; command: string };

export interface AlsoConsider {
  id?: string;
  name: string;
  why: string;
}

export interface OverviewCell {
  id: string;
  fit: DeviceEvaluation['fit'];
  requiredGB: number;
  decodeTokensPerSec: number | null;
  decodeBand: Band | null;
  reported: string | null;
}

export interface OverviewRow {
  subject: string;
  model: string;
  modelName: string;
  quant: string;
  winner: Winner;
  devices: OverviewCell[];
}

export interface Verdict {
  dataVersion: string;
  query: NormalizedQuery;
  model: {
    id: string;
    name: string;
    paramsB: number;
    activeParamsB: number;
    maxContext: number;
    phantom?: { name: string; why: string; nearest: string[] };
    /** Other catalog models the reference matched equally well. */
    alternatives?: string[];
    /** Not in the catalog: the architecture was estimated from the size. */
    estimated?: boolean;
    /** Not in the catalog: learned from the Hugging Face Hub or the Ollama registry (what was read, when). */
    learned?: { from: string; fetchedAt: string; read: string[] };
  } | null;
  devices: DeviceEvaluation[];
  verdict: { winner: Winner; headline: string; reasons: string[]; caveats: string[]; alsoConsider: AlsoConsider[] };
  cost: { years: number; hoursPerDay: number; kwhPrice: number; perDevice: (CostEstimate & { id: string })[] };
  flags: Flag[];
  overview?: OverviewRow[];
  sources: { id: string; title: string; url?: string; date: string }[];
}
