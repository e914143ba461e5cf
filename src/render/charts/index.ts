/**
 * Charts for a verdict or a plan: the panels that tell that answer best, built as SVG from the same
 * objects the text is made from and rendered to PNG. A chart is an extra: any failure gives
 * undefined and the answer goes out as text alone.
 *
 * Which chart: an image question shows seconds per image; fine-tuning, hours per epoch; serving,
 * tokens per second by users, then the memory stack; any other model question decode against
 * context depth and the memory stack, led by the cost over the years when the question is about
 * money (an API price, or priority budget or power) and by the memory stack when a machine cannot
 * hold the model. A plan shows quality against speed, or time per image or clip for an image or
 * video plan. The overview (no model), video verdicts (the verdict holds support levels, no times)
 * and fine-tuning plans (no speeds) get none.
 *
 * Two layouts: `chat` (the default) is the leading panel alone, about 520 x 340 px at 1x, because
 * Discord and Slack preview an image in a box some 400-520 px wide and not much taller, where a
 * second panel would shrink every label; `full` (the CLI's file) stacks two panels under the
 * headline.
 */
import { loadCatalog } from '../../catalog/load.js';
import type { Catalog, ModelSpec, Plan, Verdict } from '../../core/index.js';
import { truncate, verdictTitle } from '../shared.js';
import { composeSvg } from './compose.js';
import { costYearsPanel } from './cost-years.js';
import { decodeDepthPanel } from './decode-depth.js';
import { epochHoursPanel } from './epoch-hours.js';
import { imageTimesPanel } from './image-times.js';
import { memoryStackPanel } from './memory-stack.js';
import { planMediaPanel } from './plan-media.js';
import { planQualityPanel } from './plan-quality.js';
import { svgToPng } from './png.js';
import { servingUsersPanel } from './serving-users.js';
import type { Panel } from './svg.js';

export interface Chart {
  /** A file name for the attachment, e.g. "whichgpu-llama-3-3-70b.png". */
  name: string;
  png: Buffer;
  /** One or two sentences with the machines and the figures, for alt text and screen readers. */
  alt: string;
  /** The PNG's size in pixels (2x the SVG's). */
  width: number;
  height: number;
  svg: string;
}

export interface ChartOptions {
  /** The catalog the verdict was made from (the built-in one by default): the depth curves call its physics. */
  catalog?: Catalog;
  /** The model's spec when the catalog cannot name it (one learned from the Hub or the registry). */
  model?: ModelSpec;
  /** `chat` (default): the leading panel alone, for a message preview; `full`: two panels and the headline. */
  layout?: 'chat' | 'full';
}

/** The longest alt text a chart carries. */
export const ALT_MAX = 1000;

const defined = <T>(x: T | undefined): x is T => x !== undefined;

/** The panels a verdict's chart shows, in order (empty: no chart for it). */
export function verdictPanels(v: Verdict, options: ChartOptions = {}): Panel[] {
  if (!v.model || v.devices.length === 0) return [];
  switch (v.query.workflow) {
    case 'image':
      return [imageTimesPanel(v)].filter(defined);
    case 'video':
      return [];
    case 'fine-tune':
      return [epochHoursPanel(v)].filter(defined);
    case 'serving':
      return [servingUsersPanel(v), memoryStackPanel(v)].filter(defined);
    default: {
      const q = v.query;
      const decode = decodeDepthPanel(v, options.catalog ?? loadCatalog(), options.model);
      if (q.apiPricePerMTok !== null || q.priority === 'budget' || q.priority === 'power')
        return [costYearsPanel(v), decode].filter(defined);
      if (v.devices.some((e) => e.fit === 'none')) return [memoryStackPanel(v), decode].filter(defined);
      return [decode, memoryStackPanel(v)].filter(defined);
    }
  }
}

export function planPanels(p: Plan, layout: ChartOptions['layout'] = 'chat'): Panel[] {
  const chat = layout === 'chat';
  if (p.query.workflow === 'image' || p.query.workflow === 'video')
    return [planMediaPanel(p, chat ? 3 : 6)].filter(defined);
  return [planQualityPanel(p, chat ? 3 : 25)].filter(defined);
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'chart'
  );
}

/** A chart before its PNG: what the bots render off the event loop (see ./png.ts, svgToPngAsync). */
export type ChartSvg = Omit<Chart, 'png' | 'width' | 'height'>;

function compose(
  layout: ChartOptions['layout'],
  name: string,
  title: string,
  headline: string,
  all: Panel[],
  footer: string,
): ChartSvg {
  const full = layout === 'full';
  const panels = full ? all.slice(0, 2) : all.slice(0, 1);
  const svg = composeSvg(title, full ? headline : null, panels, footer);
  // Discord takes 1,024 characters of attachment description; Slack more.
  const alt = truncate(panels.map((p) => p.alt).join(' '), ALT_MAX);
  return { name, alt, svg };
}

const rendered = (c: ChartSvg | undefined): Chart | undefined => c && { ...c, ...svgToPng(c.svg) };

/** The chart that fits this answer best, or undefined (no chart for it, or rendering failed: never throws). */
export function chartForVerdict(v: Verdict, options: ChartOptions = {}): Chart | undefined {
  try {
    return rendered(chartSvgForVerdict(v, options));
  } catch {
    return undefined;
  }
}

/** The chart for a plan, or undefined (no chart for it, or rendering failed: never throws). */
export function chartForPlan(p: Plan, options: Pick<ChartOptions, 'layout'> = {}): Chart | undefined {
  try {
    return rendered(chartSvgForPlan(p, options));
  } catch {
    return undefined;
  }
}

/** `chartForVerdict`'s SVG, name and alt text without the PNG; undefined when the answer gets no chart. May throw. */
export function chartSvgForVerdict(v: Verdict, options: ChartOptions = {}): ChartSvg | undefined {
  const panels = verdictPanels(v, options);
  if (!panels.length) return undefined;
  const subject = v.query.workflow === 'image' ? 'image' : (v.model?.name ?? 'compare');
  return compose(
    options.layout,
    `whichgpu-${slug(subject)}.png`,
    v.query.workflow === 'image'
      ? `Image generation: ${v.devices.map((e) => e.shortName).join(' vs ')}`
      : v.query.workflow === 'fine-tune'
        ? `Fine-tuning ${v.model?.name}: ${v.devices.map((e) => e.shortName).join(' vs ')}`
        : verdictTitle(v),
    v.verdict.headline,
    panels,
    `whichgpu · data ${v.dataVersion} · estimates from a calibrated model`,
  );
}

/** `chartForPlan`'s SVG, name and alt text without the PNG; undefined when the plan gets no chart. May throw. */
export function chartSvgForPlan(p: Plan, options: Pick<ChartOptions, 'layout'> = {}): ChartSvg | undefined {
  const panels = planPanels(p, options.layout);
  if (!panels.length) return undefined;
  return compose(
    options.layout,
    `whichgpu-plan-${slug(p.query.workflow)}.png`,
    `Plan for ${p.query.workflow}: ${p.devices.map((d) => d.shortName).join(', ')}`,
    p.headline,
    panels,
    `whichgpu · data ${p.dataVersion} · ${
      p.query.workflow === 'image' || p.query.workflow === 'video'
        ? 'times estimated from a fitted diffusion model'
        : 'speeds estimated; scores as published'
    }`,
  );
}
