/**
 * Every answer the bot can give for the catalog, as JSON lines: the verdict object (`compare
 * --json`) and its Discord, Slack and terminal renderings, for every model x workflow x a few
 * device pairs and options, plus the other reply kinds. A refactor that must not change behaviour
 * is checked by diffing this output before and after:
 *   npx tsx scripts/snapshot-replies.ts > before.jsonl   ...   diff before.jsonl after.jsonl
 */
import { loadCatalog } from '../src/catalog/load.js';
import { compare, understand, verdictReplacer } from '../src/core/index.js';
import { pinsMessage, settingsMessage, sourcesMessage, verdictMessage } from '../src/render/discord.js';
import { pinsBlocks, settingsBlocks, sourcesBlocks, verdictBlocks } from '../src/render/slack.js';
import { renderText } from '../src/render/text.js';
import { DEFAULT_SETTINGS } from '../src/store/settings-schema.js';

const catalog = loadCatalog();
const QUANTS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'F16', 'IQ4_XS', 'Q3_K_M', 'Q2_K', 'MXFP4', 'MLX-4bit', 'MLX-8bit'];
const WORKFLOWS = ['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'training', 'serving'];
const PIN = {
  id: 4,
  headline: 'RTX 5090: 2.2x faster',
  stale: true,
  pinnedBy: 'mod',
  pinnedAt: '2026-11-01T00:00:00.000Z',
  url: 'https://discord.com/channels/1/2/3',
  winner: 'rtx-5090',
  query: {},
};

function line(key: string, input: Record<string, unknown>, notes: string[] = []): void {
  const r = compare(catalog, input);
  if (!r.ok) {
    process.stdout.write(`${JSON.stringify({ key, error: r.error })}\n`);
    return;
  }
  const v = r.value;
  const o = { stateId: 'abcdef012345', quants: QUANTS, notes };
  process.stdout.write(
    `${JSON.stringify(
      {
        key,
        verdict: v,
        discord: verdictMessage(v, o),
        discordPinned: verdictMessage(v, { ...o, existingPin: PIN as never }),
        discordNoState: verdictMessage(v, { ...o, stateId: undefined } as never),
        slack: verdictBlocks(v, o),
        slackPinned: verdictBlocks(v, { ...o, existingPin: PIN as never }),
        text: renderText(v, { color: false }),
        textColor: renderText(v, { color: true }),
        sources: [sourcesMessage(v), sourcesBlocks(v)],
      },
      verdictReplacer,
    )}\n`,
  );
}

const others = catalog.devices.filter((d) => d.id !== 'rtx-5090').map((d) => d.id);
for (const m of catalog.models) {
  for (const workflow of WORKFLOWS) {
    line(`${m.id}|${workflow}`, { model: m.id, workflow });
    line(`${m.id}|${workflow}|tco`, {
      model: m.id,
      workflow,
      against: others[(m.id.length + workflow.length) % others.length],
      tokensPerDay: 5_000_000,
      apiPricePerMTok: 2,
      contextTokens: 32768,
    });
  }
  for (const priority of ['speed', 'silence', 'power', 'budget'])
    line(`${m.id}|${priority}`, { model: m.id, priority, hoursPerDay: 12, kwhPrice: 0.3, years: 5 });
  for (const q of ['Q8_0', 'F16', 'MXFP4', 'MLX-4bit']) line(`${m.id}|${q}`, { model: m.id, quant: q });
}
for (const against of others) line(`overview|${against}`, { against });
for (const workflow of WORKFLOWS) line(`overview|${workflow}`, { workflow });
for (const text of [
  'llama 3.3 70b q8 coding 8h/day $0.30/kWh',
  '70b q8 for coding, 8h a day at 30 cents',
  'flux image gen 1024px 20 steps',
  'qwen 32b',
  'Llama 3 13B',
  '8x7b',
  '30b-a3b vs m3 ultra',
  'qwen 3.8 27b',
  'wan 2.1 video',
]) {
  const u = understand(catalog, text);
  line(`text|${text}`, u.ok ? u.value.input : {}, u.ok ? u.value.notes : []);
}
const page = { items: [PIN, { ...PIN, id: 5, stale: false }], page: 1, pages: 3, total: 25 };
process.stdout.write(
  `${JSON.stringify({ key: 'pins', discord: [pinsMessage(page as never, true), pinsMessage(page as never, false)], slack: [pinsBlocks(page as never, true), pinsBlocks(page as never, false)] })}\n`,
);
process.stdout.write(
  `${JSON.stringify({ key: 'settings', discord: settingsMessage(DEFAULT_SETTINGS, ['hours']), slack: settingsBlocks(DEFAULT_SETTINGS, ['hours']) })}\n`,
);
