/**
 * The verdict: a validated query and the catalog in, a plain object out. Every number in it is
 * an estimate from the physics model (with its band) or a reported figure with its source; where
 * a reported figure disagrees with physics a `seed-conflict` flag says so. This file orchestrates:
 * decide.ts scores, words.ts words, flags.ts flags, advice.ts suggests, overview.ts answers without
 * a model.
 */
import type { Catalog, CatalogDevice, CatalogQuant } from '../catalog/catalog.js';
import { evaluateDevice } from '../physics/evaluate.js';
import {
  CompareInputSchema,
  DEFAULTS,
  defaultQuantOf,
  normalizedQuery,
  type CompareInput,
  type NormalizedQuery,
} from '../query/query.js';
import { resolveDevice, resolveModel, resolveQuant, type ModelMatch } from '../query/resolve.js';
import { err, ok, type Result } from '../result.js';
import { alsoConsiderFor } from './advice.js';
import { decide, winnerOf, type Pair } from './decide.js';
import { capacityFlags, conflictFlags, powerFlags, wiredFlags } from './flags.js';
import { overview } from './overview.js';
import { costOf, sourcesFor } from './sections.js';
import type { Verdict } from './types.js';
import { caveatsFor, fineTuneHeadline, servingHeadline, wordDecision } from './words.js';

/** The LLM shown beside an image or video verdict when the user named none. */
const IMAGE_DEFAULT_LLM = 'llama-3.1-8b';

/** Turns a user's compare input into a verdict; bad input comes back as an error value. `resolved`: a model already matched. */
export function compare(catalog: Catalog, rawInput: unknown, resolved?: { match: ModelMatch }): Result<Verdict> {
  const parsed = CompareInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const tooBigOrSmall = issue.code === 'too_big' || issue.code === 'too_small';
    return err(tooBigOrSmall ? 'OUT_OF_RANGE' : 'INVALID_QUERY', issue.message, {
      hint: `Check ${issue.path.join('.') || 'the query'}.`,
    });
  }
  const input = parsed.data;
  const a = resolveDevice(catalog, input.device ?? DEFAULTS.device);
  if (!a.ok) return a;
  const b = resolveDevice(catalog, input.against ?? DEFAULTS.against);
  if (!b.ok) return b;
  if (a.value.id === b.value.id)
    return err('INVALID_QUERY', `That compares ${a.value.name} with itself.`, {
      hint: 'Pick a different device for against.',
    });
  const devices: [CatalogDevice, CatalogDevice] = [a.value, b.value];
  const workflow = input.workflow ?? 'chat';

  // Image and video verdicts do not hinge on an LLM; the LLM rows then describe a small default.
  const imageOnly = !input.model && (workflow === 'image' || workflow === 'video');
  if (!input.model && !imageOnly) return ok(overview(catalog, input, devices, workflow));

  // A caller that has read the model already (ask) hands over its match, estimates included.
  const match = resolved && input.model ? ok(resolved.match) : resolveModel(catalog, input.model ?? IMAGE_DEFAULT_LLM);
  if (!match.ok) return match;
  const query = modelQuery(catalog, input, match.value, devices);
  if (!query.ok) return query;
  return ok(buildVerdict(catalog, query.value.query, match.value, query.value.quant, devices));
}

/**
 * The quant (named, the model's own, or the default) and the token counts, checked against the
 * model. The planner builds its picks' queries here too, so a pick's figures are compare's.
 */
export function modelQuery(
  catalog: Catalog,
  input: CompareInput,
  match: ModelMatch,
  devices: [CatalogDevice, CatalogDevice],
): Result<{ query: NormalizedQuery; quant: CatalogQuant }> {
  const model = match.model;
  let quant: CatalogQuant | undefined = match.quant;
  if (input.quant) {
    const q = resolveQuant(catalog, input.quant);
    if (!q.ok) return q;
    quant = q.value;
  }
  quant ??= catalog.quant(defaultQuantOf(model)) ?? catalog.quant(DEFAULTS.quant)!;

  if (input.contextTokens !== undefined && input.contextTokens > model.maxContext)
    return err(
      'OUT_OF_RANGE',
      `${model.name} supports at most ${model.maxContext.toLocaleString('en-US')} tokens of context.`,
      { hint: `Use context up to ${Math.round(model.maxContext / 1024)}k.` },
    );
  const workflow = input.workflow ?? 'chat';
  const wf = catalog.workflow(workflow)!;
  const contextTokens = input.contextTokens ?? Math.min(wf.defaultContextTokens, model.maxContext);
  const promptTokens = Math.min(input.promptTokens ?? wf.typicalPromptTokens, contextTokens);
  const devIds: [string, string] = [devices[0].id, devices[1].id];
  // A learned model is named by its reference ("org/repo", "name:tag"): what a follow-up, a pin
  // refresh or another instance looks up again, where a catalog id would name nothing.
  const id = match.learned && input.model ? input.model : model.id;
  const resolved = { model: id, quant: quant.id, contextTokens, promptTokens, workflow, devices: devIds };
  return ok({ query: normalizedQuery(input, resolved), quant });
}

function buildVerdict(
  catalog: Catalog,
  query: NormalizedQuery,
  match: ModelMatch,
  quant: CatalogQuant,
  devices: [CatalogDevice, CatalogDevice],
): Verdict {
  const model = match.model;
  const evals = distinctNames(devices.map((d) => evaluateDevice(catalog, d, model, quant, query)) as Pair);
  const flags = [
    ...conflictFlags(catalog, evals, model, quant, match),
    ...powerFlags(catalog, evals),
    ...capacityFlags(evals, query),
    ...wiredFlags(evals),
  ];
  const decision = decide(evals, query, catalog.speedBands().frustrating.value);
  const label = `${model.name} ${quant.id}`;
  const worded = wordDecision(decision, evals, query, label);
  // A fine-tuning question is answered in what fits for training and how long an epoch takes, a
  // serving question in users served at a speed: never in one stream's inference speed.
  const headline =
    query.workflow === 'fine-tune'
      ? fineTuneHeadline(evals, model.name)
      : query.workflow === 'serving'
        ? servingHeadline(evals, winnerOf(decision), label)
        : worded.headline;
  const { reasons } = worded;
  const caveats = caveatsFor(catalog, evals, model, match, query);
  const alsoConsider = alsoConsiderFor(catalog, evals, model, quant, query);
  return {
    dataVersion: catalog.dataVersion,
    query,
    model: {
      id: model.id,
      name: model.name,
      paramsB: model.paramsB,
      activeParamsB: model.activeParamsB,
      maxContext: model.maxContext,
      ...(match.phantom
        ? { phantom: { name: match.phantom.name, why: match.phantom.why, nearest: match.phantom.nearest } }
        : {}),
      ...(match.alternatives?.length ? { alternatives: match.alternatives.map((m) => m.id) } : {}),
      ...(match.estimated ? { estimated: true } : {}),
      ...(match.learned ? { learned: match.learned } : {}),
    },
    devices: evals,
    verdict: { winner: winnerOf(decision), headline, reasons, caveats, alsoConsider },
    cost: costOf(evals, query),
    flags,
    sources: sourcesFor(catalog, evals),
  };
}

/**
 * Two machines with the same short name (a MacBook Pro and a Mac Studio, both "M4 Max 128GB") go
 * by their full names, or a verdict reads "M4 Max 128GB is faster, M4 Max 128GB is cheaper".
 */
function distinctNames(pair: Pair): Pair {
  if (pair[0].shortName !== pair[1].shortName) return pair;
  return pair.map((e) => ({ ...e, shortName: e.name })) as Pair;
}
