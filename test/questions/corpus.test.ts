import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuestionSchema } from './schema.js';

const lines = readFileSync(join(import.meta.dirname, 'real-questions.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');

describe('the corpus of real questions', () => {
  const questions = lines.map((l, i) => {
    const parsed = QuestionSchema.safeParse(JSON.parse(l));
    if (!parsed.success)
      throw new Error(`line ${i + 1}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  });

  it('has at least 250 questions, each with its link and an expected reading', () => {
    expect(questions.length).toBeGreaterThanOrEqual(250);
  });

  it('has unique ids and no question twice', () => {
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
    expect(new Set(questions.map((q) => `${q.url}|${q.text}`)).size).toBe(questions.length);
  });

  it('covers every intent and the image, video, fine-tuning and serving workflows', () => {
    const intents = new Set(questions.map((q) => q.expect.intent));
    for (const intent of ['compare', 'fit', 'speed', 'plan', 'upgrade', 'help']) expect(intents).toContain(intent);
    const workflows = new Set(questions.map((q) => q.expect.workflow));
    for (const w of ['image', 'video', 'fine-tune', 'serving']) expect(workflows).toContain(w);
  });
});

const HELD_OUT = [
  'holdout-questions.jsonl',
  'holdout2-questions.jsonl',
  'holdout3-questions.jsonl',
  'holdout4-questions.jsonl',
  'holdout5-questions.jsonl',
  'holdout6-questions.jsonl',
  'holdout7-questions.jsonl',
  'holdout8-questions.jsonl',
  'holdout9-questions.jsonl',
  'holdout10-questions.jsonl',
  'holdout11-questions.jsonl',
  'holdout12-questions.jsonl',
];

describe.each(HELD_OUT)('the held-out questions in %s', (file) => {
  const read = (name: string) =>
    readFileSync(join(import.meta.dirname, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => QuestionSchema.parse(JSON.parse(l)));

  it('are valid, and none is a question or thread of another set (they measure what the rules never saw)', () => {
    const held = read(file);
    expect(held.length).toBeGreaterThanOrEqual(50);
    const others = ['real-questions.jsonl', ...HELD_OUT].filter((f) => f !== file).flatMap(read);
    const ids = new Set(others.map((q) => q.id));
    const urls = new Set(others.map((q) => q.url.toLowerCase()));
    for (const q of held) {
      expect(ids.has(q.id), q.id).toBe(false);
      expect(urls.has(q.url.toLowerCase()), q.url).toBe(false);
    }
  });
});
