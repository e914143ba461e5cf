/**
 * The plan (issue 15): for each machine, the best models it runs for a workflow at the speed and
 * context asked, best first, each with its figures, its quality score and how to run it; for an
 * upgrade, what a candidate adds over the machine one has. `plan --json` prints this object.
 */
import type { Band, Fit } from '../catalog/specs.js';
import type { WorkflowId } from '../catalog/schema.js';

export interface PlanQuery {
  workflow: WorkflowId;
  contextTokens: number | null;
  /** Decode tokens per second a pick must reach (LLM workflows). */
  minTokensPerSec: number;
  /** Hardware budget in USD: machines whose price range starts above it are said to be over it. */
  budgetUSD: number | null;
  /** Whether a pick may keep part of the model in system RAM. */
  allowOffload: boolean;
  /** Picks per machine. */
  limit: number;
  /** What the current machine would sell for, for an upgrade's net cost. */
  resaleUSD: number | null;
  /** Hours a day and price per kWh the electricity is counted at. */
  hoursPerDay: number;
  kwhPrice: number;
}

export interface PickQuality {
  score: number;
  benchmark: string;
  /** What the benchmark measures, in one sentence. */
  measures: string;
  source: string;
  date: string;
  variant?: string;
}

export interface PlanPick {
  model: { id: string; name: string; kind: 'llm' | 'image' | 'video' };
  quant: string;
  contextTokens: number;
  fit: Fit;
  decodeTokensPerSec: number | null;
  decodeBand: Band | null;
  prefillTokensPerSec: number | null;
  timeToFirstTokenSec: number | null;
  memoryGB: number;
  quality: PickQuality | null;
  /** What a quant costs against 16-bit, when measured ("Q4_K_M: KLD 0.04 on Llama 3 8B"). */
  quantCost: string | null;
  /** Why it ranks where it does, in one sentence. */
  why: string;
  /** How to run it on this machine, with the context it needs. */
  run: string;
  /** Image and video picks: the diffusion estimate of one image or clip at the model's default run. */
  generation?: {
    unit: 'image' | 'clip';
    /** The denoising loop, seconds (text encoding and the VAE decode are not in it). */
    seconds: number;
    band: Band;
    steps: number;
    width: number;
    height: number;
    frames?: number;
    /** `estimate` from the fitted diffusion model; `unfitted` when no fit is loaded. */
    basis: 'estimate' | 'unfitted';
  };
}

export interface PlanDevice {
  id: string;
  name: string;
  shortName: string;
  role: 'current' | 'candidate' | null;
  picks: PlanPick[];
  /** Models considered that this machine cannot run at the targets at all. */
  cannotRun: number;
  overBudget: boolean;
}

export interface UpgradeCandidate {
  id: string;
  /** Speed on the current machine's own top picks, where both run them. */
  faster: { model: string; from: number; to: number; unit: 'tok/s' | 's/image' | 's/clip' }[];
  /** Models the candidate runs at the targets that the current machine cannot. */
  newlyInReach: string[];
  hardwareUSD: Band;
  /** The hardware less what the current machine sells for, when the asker said (resaleUSD). */
  netUSD: Band | null;
  /** Electricity a year at the plan's hours and price, current machine first: [current, candidate]. */
  electricityPerYearUSD: [number, number];
}

export interface Plan {
  dataVersion: string;
  /** The plan in one line: each machine's best pick (and, for an upgrade, what each candidate adds). */
  headline: string;
  query: PlanQuery;
  devices: PlanDevice[];
  /** Model ids only one machine runs at the targets, by machine. */
  onlyOn: Record<string, string[]>;
  upgrade: { from: string; candidates: UpgradeCandidate[] } | null;
  /** The display name of every model id the plan mentions outside its picks. */
  modelNames: Record<string, string>;
  notes: string[];
}
