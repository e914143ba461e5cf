/**
 * Understanding a question (issue 13): readQuestion over every real question of the corpus (machines,
 * model, phrases, intent, ask-back), timed one question at a time on the full catalog, after a warm-up;
 * and ask (the reading plus its verdict) for scale. Targets: <= 1 ms median, <= 5 ms p99.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/load.js';
import { ask, readQuestion } from '../src/core/index.js';
import { stats } from './core.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'questions', 'real-questions.jsonl');

export function understandingBench() {
  const catalog = loadCatalog();
  const texts = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const timeEach = (f: (t: string) => unknown, rounds: number) => {
    for (const t of texts) f(t);
    const xs: number[] = [];
    for (let r = 0; r < rounds; r++)
      for (const t of texts) {
        const start = performance.now();
        f(t);
        xs.push(performance.now() - start);
      }
    return { ...stats(xs), n: xs.length };
  };
  const reading = timeEach((t) => readQuestion(catalog, t), 5);
  const answering = timeEach((t) => ask(catalog, t), 2);
  return { questions: texts.length, chips: catalog.chips.length, reading, answering };
}

export function understandingRows(b: ReturnType<typeof understandingBench>): string[] {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  return [
    `| understanding (readQuestion), per question | ${ms(b.reading.median)} | ${ms(b.reading.p99)} | target <= 1 ms / <= 5 ms |`,
    `| ask (reading + verdict), per question | ${ms(b.answering.median)} | ${ms(b.answering.p99)} | |`,
  ];
}
