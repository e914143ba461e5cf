/**
 * Community reports (issue 18): /report (Discord), `/whichgpu report <paste>` (Slack), `report`
 * (console). A member pastes what llama-bench, `ollama run --verbose`, LM Studio or mlx_lm printed;
 * the core's parser reads it; what is missing is asked back; each run is checked against the
 * estimate's band and stored pending. Moderators approve, reject or delete (buttons, or
 * `report approve 12`); approved runs show beside the estimate in this server's verdicts and plans.
 */
import { z } from 'zod';
import {
  estimateOne,
  median,
  readReport,
  resolveQuant,
  type Catalog,
  type Measurement,
  type Plan,
  type ReportFormat,
  type Verdict,
} from '../src/core/index.js';
import { RateLimiter, SharedRateLimiter, type Limiter, type RateLimitConfig } from '../src/rate-limit.js';
import type { CommunityReport, NewReport, Page, ReportFilter, Store } from '../src/store/store.js';
import { tryWrite, writeFailed } from './store-writes.js';
import { forbidden, type Command, type CommandContext, type CommunityFigure, type Reply } from './types.js';

/** A paste longer than this is refused, not cut (the parser's own cap: a cut table reads as a smaller one). */
export const REPORT_MAX_CHARS = 20_000;
/** Runs one paste stores at most (a llama-bench sweep can print dozens); the rest are named, not stored. */
export const MAX_RUNS_PER_REPORT = 8;
/** Reports a list shows a page (Discord fits each one's three buttons, and the pager, in five rows). */
export const REPORTS_PAGE_SIZE = 5;

/**
 * Reports a member may send: five at once, then one every five minutes; a server, sixty, then two
 * a minute. Tighter than questions: each is a row a moderator must read.
 */
export const REPORT_LIMITS: RateLimitConfig = {
  user: { capacity: 5, perMinute: 0.2 },
  server: { capacity: 60, perMinute: 2 },
};

const limiters = new WeakMap<Store, Limiter>();
/** The report limit of a store: shared by every instance on PostgreSQL, this process's own on SQLite. */
function reportLimiter(store: Store): Limiter {
  let l = limiters.get(store);
  if (!l)
    limiters.set(
      store,
      (l = store.guards ? new SharedRateLimiter(store.guards, REPORT_LIMITS) : new RateLimiter(REPORT_LIMITS)),
    );
  return l;
}

const Id = z.coerce
  .number({ error: 'a report id, e.g. report approve 12' })
  .int('a report id, e.g. report approve 12')
  .positive('a report id, e.g. report approve 12');
const Ids = z.array(Id).min(1, 'a report id, e.g. report approve 12').max(25);
const review = <A extends 'approve' | 'reject' | 'delete'>(action: A) =>
  z.object({ action: z.literal(action), ids: Ids });

export const REPORT_FILTERS = ['pending', 'approved', 'rejected', 'all'] as const;

export const ReportInputSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('submit'),
    /** The paste; checked against REPORT_MAX_CHARS in `execute`, so the refusal can say how long it was. */
    text: z.string(),
    machine: z.string().trim().max(120).optional(),
    model: z.string().trim().max(300).optional(),
    quant: z.string().trim().max(40).optional(),
  }),
  review('approve'),
  review('reject'),
  review('delete'),
  z.object({
    action: z.literal('list'),
    /** Default: pending for moderators, approved for everyone else. */
    status: z.enum(REPORT_FILTERS).optional(),
    page: z.coerce.number().int().min(1, 'page starts at 1').max(10_000).default(1),
  }),
]);
export type ReportInput = z.infer<typeof ReportInputSchema>;

/** A reported speed beside what the estimate says for the same machine, model, quant and depth. */
export interface BandCheck {
  reported: number;
  estimate: number;
  low: number;
  high: number;
}

/** A stored report as replies show it: names for its ids, and its figures checked against today's estimate. */
export interface ReportView extends CommunityReport {
  deviceName: string;
  modelName: string;
  decodeCheck: BandCheck | null;
  prefillCheck: BandCheck | null;
}

/** What a report still needs before it can be stored. */
export type ReportGap = 'device' | 'model' | 'speed';

export type ReportReply =
  /** Stored, pending a moderator's review. `dropped`: runs past MAX_RUNS_PER_REPORT, not stored. */
  | { view: 'saved'; reports: ReportView[]; dropped: number; notes: string[] }
  /** Nothing stored: what to add, and what the paste did say. */
  | {
      view: 'missing';
      missing: ReportGap[];
      format: ReportFormat;
      runs: number;
      device: string | null;
      model: string | null;
      notes: string[];
    }
  | { view: 'reviewed'; action: 'approved' | 'rejected' | 'deleted'; reports: ReportView[]; notFound: number[] }
  | { view: 'list'; page: Page<ReportView>; filter: ReportFilter; canModerate: boolean };

const reply = (report: ReportReply): Reply => ({ kind: 'report', report });

const usage = (message: string, hint?: string): Reply => ({
  kind: 'error',
  error: { code: 'INVALID_QUERY', message, ...(hint ? { hint } : {}) },
});

/** Whether a reported figure is outside its check's band. */
export const outsideBand = (c: BandCheck | null): boolean => c !== null && (c.reported < c.low || c.reported > c.high);

/**
 * The estimate for the run's machine, model, quant and depth. Decode was measured after the depth
 * and the prompt (an mlx_lm run decodes after its prompt); prefill is estimated for a 512-token
 * chunk, so a longer prompt is read at the depth of its middle.
 */
function checks(
  catalog: Catalog,
  r: Pick<
    CommunityReport,
    | 'device'
    | 'model'
    | 'quant'
    | 'runtime'
    | 'depthTokens'
    | 'promptTokens'
    | 'decodeTokensPerSec'
    | 'prefillTokensPerSec'
  >,
): { decodeCheck: BandCheck | null; prefillCheck: BandCheck | null } {
  const at = (depthTokens: number) => {
    const e = estimateOne(catalog, {
      device: r.device,
      model: r.model,
      ...(r.quant ? { quant: r.quant } : {}),
      depthTokens: Math.round(depthTokens),
      ...(r.runtime === 'ollama' ? { runtime: 'ollama' } : {}),
    });
    return e.ok ? e.value : undefined;
  };
  let decodeCheck: BandCheck | null = null;
  if (r.decodeTokensPerSec !== null) {
    const e = at(r.depthTokens + (r.promptTokens ?? 0));
    if (e?.decodeTokensPerSec && e.decodeRange)
      decodeCheck = { reported: r.decodeTokensPerSec, estimate: e.decodeTokensPerSec, ...e.decodeRange };
  }
  let prefillCheck: BandCheck | null = null;
  if (r.prefillTokensPerSec !== null) {
    const e = at(r.depthTokens + Math.max(0, (r.promptTokens ?? 512) - 512) / 2);
    if (e?.prefillTokensPerSec && e.prefillRange)
      prefillCheck = { reported: r.prefillTokensPerSec, estimate: e.prefillTokensPerSec, ...e.prefillRange };
  }
  return { decodeCheck, prefillCheck };
}

export function viewOfReport(catalog: Catalog, r: CommunityReport): ReportView {
  return {
    ...r,
    deviceName: catalog.device(r.device)?.shortName ?? r.device,
    modelName: catalog.model(r.model)?.name ?? r.model,
    ...checks(catalog, r),
  };
}

/** The catalog's quant id for what the member typed or the paste said; null when it is none the catalog knows. */
function quantId(catalog: Catalog, text: string | null | undefined): string | null {
  if (!text) return null;
  const q = resolveQuant(catalog, text);
  return q.ok ? q.value.id : null;
}

/** A complete run: a machine, a model and at least one speed. */
type Complete = Measurement & { device: string; model: string };
const complete = (m: Measurement): m is Complete =>
  m.device !== null && m.model !== null && (m.decodeTokensPerSec !== null || m.prefillTokensPerSec !== null);

async function submit(ctx: CommandContext, input: Extract<ReportInput, { action: 'submit' }>): Promise<Reply> {
  const text = input.text.trim();
  if (text.length > REPORT_MAX_CHARS)
    return {
      kind: 'error',
      error: {
        code: 'OUT_OF_RANGE',
        message: `That paste is ${text.length.toLocaleString('en-US')} characters; a report takes at most ${REPORT_MAX_CHARS.toLocaleString('en-US')}.`,
        hint: "Paste only the results: llama-bench's table, the stats lines of ollama run --verbose, LM Studio or mlx_lm.",
      },
    };
  if (text === '')
    return usage(
      'Paste what your benchmark printed: the table of llama-bench, or the stats of ollama run --verbose, LM Studio or mlx_lm.generate.',
    );
  const reading = readReport(text, ctx.catalog, {
    ...(input.machine ? { device: input.machine } : {}),
    ...(input.model ? { model: input.model } : {}),
  });
  let forced: string | null = null;
  if (input.quant) {
    const q = resolveQuant(ctx.catalog, input.quant);
    if (!q.ok) return { kind: 'error', error: q.error };
    forced = q.value.id;
  }
  const runs = reading.measurements.map((m) => ({ ...m, quant: forced ?? quantId(ctx.catalog, m.quant) }));
  // What the parser says no run has (it counts the hints), and what any run still lacks.
  const gaps = new Set(reading.missing);
  const missing: ReportGap[] = [];
  if (gaps.has('device') || runs.some((m) => m.device === null)) missing.push('device');
  if (gaps.has('model') || runs.some((m) => m.model === null)) missing.push('model');
  if (
    gaps.has('decodeTokensPerSec|prefillTokensPerSec') ||
    runs.length === 0 ||
    runs.some((m) => m.decodeTokensPerSec === null && m.prefillTokensPerSec === null)
  )
    missing.push('speed');
  const usable = runs.filter(complete);
  if (missing.length || usable.length === 0)
    return reply({
      view: 'missing',
      missing: missing.length ? missing : ['speed'],
      format: reading.format,
      runs: runs.length,
      device: runs.find((m) => m.device)?.device ?? null,
      model: runs.find((m) => m.model)?.model ?? null,
      notes: reading.notes,
    });

  const limited = await reportLimiter(ctx.store).take(`report:${ctx.platform}:${ctx.serverId}`, ctx.user.id);
  if (!limited.ok)
    return {
      kind: 'error',
      error: {
        code: 'FORBIDDEN',
        message:
          limited.scope === 'user'
            ? `You have sent several reports in a short time; send the next in ${waitWords(limited.retryAfterSeconds)}.`
            : `This server has received many reports in a short time; send yours in ${waitWords(limited.retryAfterSeconds)}.`,
      },
    };
  const kept = usable.slice(0, MAX_RUNS_PER_REPORT);
  const rows: NewReport[] = kept.map((m) => {
    const row = {
      platform: ctx.platform,
      serverId: ctx.serverId,
      channelId: ctx.channelId,
      reportedBy: ctx.user.id,
      reportedByName: ctx.user.name,
      device: m.device,
      model: m.model,
      quant: m.quant,
      runtime: m.runtime,
      runtimeVersion: m.runtimeVersion,
      depthTokens: m.depthTokens ?? 0,
      promptTokens: m.promptTokens,
      decodeTokensPerSec: m.decodeTokensPerSec,
      prefillTokensPerSec: m.prefillTokensPerSec,
      pasted: text,
    };
    const c = checks(ctx.catalog, row);
    return { ...row, flagged: outsideBand(c.decodeCheck) || outsideBand(c.prefillCheck) };
  });
  const saved = await tryWrite(async () => ctx.store.addReports(rows));
  if (!saved.ok) return writeFailed('save the report', 'nothing was saved', saved.refused);
  const notes = [...reading.notes];
  if (reading.missing.includes('quant') && !forced)
    notes.push('no quantization named: add quant:Q4_K_M (or the one you ran) so it stands beside verdicts for it');
  return reply({
    view: 'saved',
    reports: saved.value.map((r) => viewOfReport(ctx.catalog, r)),
    dropped: usable.length - kept.length,
    notes,
  });
}

function waitWords(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

async function reviewMany(
  ctx: CommandContext,
  action: 'approve' | 'reject' | 'delete',
  ids: readonly number[],
): Promise<Reply> {
  if (!(await ctx.canModerate()))
    return forbidden(ctx, action === 'delete' ? 'delete community reports' : 'review community reports');
  const done: CommunityReport[] = [];
  const notFound: number[] = [];
  for (const id of new Set(ids)) {
    const r = await tryWrite(async () =>
      action === 'delete'
        ? ctx.store.deleteReport(ctx.platform, ctx.serverId, id)
        : ctx.store.reviewReport(
            ctx.platform,
            ctx.serverId,
            id,
            action === 'approve' ? 'approved' : 'rejected',
            ctx.user.id,
          ),
    );
    if (!r.ok) {
      const before = done.length ? ` (${done.map((d) => `#${d.id}`).join(', ')} done)` : '';
      return writeFailed(`${action} report #${id}${before}`, 'it is unchanged', r.refused);
    }
    if (r.value) done.push(r.value);
    else notFound.push(id);
  }
  if (done.length === 0)
    return {
      kind: 'error',
      error: {
        code: 'NOT_FOUND',
        message: `No report ${notFound.map((id) => `#${id}`).join(', ')} in this server.`,
        hint: 'Type reports to see the ids.',
      },
    };
  return reply({
    view: 'reviewed',
    action: action === 'approve' ? 'approved' : action === 'reject' ? 'rejected' : 'deleted',
    reports: done.map((r) => viewOfReport(ctx.catalog, r)),
    notFound,
  });
}

async function list(ctx: CommandContext, input: Extract<ReportInput, { action: 'list' }>): Promise<Reply> {
  const canModerate = await ctx.canModerate();
  const filter: ReportFilter = input.status ?? (canModerate ? 'pending' : 'approved');
  if (filter !== 'approved' && !canModerate) return forbidden(ctx, `see ${filter === 'all' ? 'every' : filter} report`);
  const page = await ctx.store.listReports(ctx.platform, ctx.serverId, filter, input.page, REPORTS_PAGE_SIZE);
  return reply({
    view: 'list',
    page: { ...page, items: page.items.map((r) => viewOfReport(ctx.catalog, r)) },
    filter,
    canModerate,
  });
}

export default {
  name: 'report',
  description: 'Report a speed you measured: paste what llama-bench, ollama --verbose, LM Studio or mlx_lm printed.',
  options: [
    {
      name: 'paste',
      description: 'One-line output or fields ("decode 38 tok/s"); leave it out to paste a table in a form',
      type: 'string',
      // Discord's longest string option. A slash command's option is one line: without it, Discord opens a form.
      maxLength: 6000,
    },
    {
      name: 'machine',
      description: 'The machine it ran on, if the paste does not say',
      type: 'string',
      autocomplete: true,
    },
    { name: 'model', description: 'The model, if the paste does not say', type: 'string', autocomplete: true },
    {
      name: 'quant',
      description: 'The quantization, if the paste does not say (Q4_K_M, Q8_0, MLX-4bit)',
      type: 'string',
    },
  ],
  schema: ReportInputSchema,
  async execute(ctx, input) {
    switch (input.action) {
      case 'submit':
        return submit(ctx, input);
      case 'list':
        return list(ctx, input);
      default:
        return reviewMany(ctx, input.action, input.ids);
    }
  },
} satisfies Command<ReportInput>;

/** /reports on Discord: the list, and a moderator's approve, reject or delete by id. */
export const reportsCommand = {
  name: 'reports',
  description: "This server's community reports; moderators approve, reject or delete them.",
  options: [
    { name: 'status', description: 'Which reports (moderators: all of them)', type: 'string', choices: REPORT_FILTERS },
    { name: 'page', description: `Page (${REPORTS_PAGE_SIZE} reports a page)`, type: 'integer', min: 1, max: 10_000 },
    { name: 'approve', description: 'Approve this report id (moderators)', type: 'integer', min: 1 },
    { name: 'reject', description: 'Reject this report id (moderators)', type: 'integer', min: 1 },
    { name: 'delete', description: 'Delete this report id (moderators)', type: 'integer', min: 1 },
  ],
} as const;

/**
 * The report words of the text grammar (Slack's `/whichgpu report ...`, the console's `report ...`):
 * `report approve|reject|delete <id>...`, or leading `machine:ID model:TEXT quant:Q` (quoted when
 * they hold spaces) before the paste. `reports [status] [page]` is `reportsOfText`.
 */
export function reportOfText(text: string): { ok: true; input: ReportInput } | { ok: false; reply: Reply } {
  const verb = /^\s*(approve|reject|delete)\b([\s\S]*)$/i.exec(text);
  if (verb) {
    const words = verb[2]!
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    const parsed = ReportInputSchema.safeParse({
      action: verb[1]!.toLowerCase(),
      ids: words.map((w) => w.replace(/^#/, '')),
    });
    return parsed.success
      ? { ok: true, input: parsed.data }
      : { ok: false, reply: usage(parsed.error.issues[0]!.message) };
  }
  const hints: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^\s*(machine|device|model|quant)[:=](?:"([^"]*)"|'([^']*)'|(\S+))/i.exec(rest);
    if (!m) break;
    const key = m[1]!.toLowerCase() === 'device' ? 'machine' : m[1]!.toLowerCase();
    hints[key] = m[2] ?? m[3] ?? m[4]!;
    rest = rest.slice(m[0].length);
  }
  const parsed = ReportInputSchema.safeParse({ action: 'submit', text: rest, ...hints });
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, reply: usage(parsed.error.issues[0]!.message) };
}

/** `reports [pending|approved|rejected|all] [page]`, in either order. */
export function reportsOfText(
  words: readonly string[],
): { ok: true; input: ReportInput } | { ok: false; reply: Reply } {
  const status = words.find((w) => (REPORT_FILTERS as readonly string[]).includes(w.toLowerCase()))?.toLowerCase();
  const page = words.find((w) => /^\d+$/.test(w));
  const other = words.find((w) => w !== page && w.toLowerCase() !== status);
  if (other !== undefined)
    return { ok: false, reply: usage(`"${other.slice(0, 40)}" is not a status or a page. Example: reports pending 2`) };
  const parsed = ReportInputSchema.safeParse({
    action: 'list',
    ...(status ? { status } : {}),
    ...(page ? { page } : {}),
  });
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, reply: usage(parsed.error.issues[0]!.message) };
}

/** The community's approved runs of a (device, model, quant), as a verdict or a plan shows them; null when none. */
export function communityFigure(
  catalog: Catalog,
  key: { device: string; model: string; quant: string },
  reports: readonly Pick<CommunityReport, 'decodeTokensPerSec' | 'prefillTokensPerSec' | 'flagged'>[],
): CommunityFigure | null {
  if (reports.length === 0) return null;
  const of = (xs: (number | null)[]) => {
    const known = xs.filter((x): x is number => x !== null);
    return known.length ? median(known) : null;
  };
  return {
    ...key,
    deviceName: catalog.device(key.device)?.shortName ?? key.device,
    modelName: catalog.model(key.model)?.name ?? key.model,
    runs: reports.length,
    medianDecode: of(reports.map((r) => r.decodeTokensPerSec)),
    medianPrefill: of(reports.map((r) => r.prefillTokensPerSec)),
    outsideBand: reports.filter((r) => r.flagged).length,
  };
}

/** What this server's members measured for each machine of a verdict (its model, at each machine's quant). */
export async function communityOfVerdict(ctx: CommandContext, v: Verdict): Promise<CommunityFigure[]> {
  const model = v.model;
  if (!model) return [];
  const figures = await Promise.all(
    v.devices.map(async (d) =>
      communityFigure(
        ctx.catalog,
        { device: d.id, model: model.id, quant: d.quant },
        await ctx.store.approvedReports(ctx.platform, ctx.serverId, d.id, model.id, d.quant),
      ),
    ),
  );
  return figures.filter((f): f is CommunityFigure => f !== null);
}

/** The same for every language-model pick of a plan. */
export async function communityOfPlan(ctx: CommandContext, p: Plan): Promise<CommunityFigure[]> {
  const keys = p.devices.flatMap((d) =>
    d.picks
      .filter((pick) => pick.model.kind === 'llm')
      .map((pick) => ({ device: d.id, model: pick.model.id, quant: pick.quant })),
  );
  const figures = await Promise.all(
    keys.map(async (k) =>
      communityFigure(
        ctx.catalog,
        k,
        await ctx.store.approvedReports(ctx.platform, ctx.serverId, k.device, k.model, k.quant),
      ),
    ),
  );
  return figures.filter((f): f is CommunityFigure => f !== null);
}

/** /reports' options (Discord) -> the report command's input: a review when an id is given, else the list. */
export function reportsInputOfOptions(o: Record<string, unknown>): Record<string, unknown> {
  for (const action of ['approve', 'reject', 'delete'] as const)
    if (o[action] !== undefined) return { action, ids: [o[action]] };
  return { action: 'list', ...(o.status !== undefined ? { status: o.status } : {}), page: o.page ?? 1 };
}
