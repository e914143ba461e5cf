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

describe('the held-out questions', () => {
  const held = readFileSync(join(import.meta.dirname, 'holdout-questions.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => QuestionSchema.parse(JSON.parse(l)));

  it('are valid, and none is a question or thread of the corpus (they measure what the rules never saw)', () => {
    expect(held.length).toBeGreaterThanOrEqual(80);
    const corpus = lines.map((l) => QuestionSchema.parse(JSON.parse(l)));
    const ids = new Set(corpus.map((q) => q.id));
    const urls = new Set(corpus.map((q) => q.url));
    for (const q of held) {
      expect(ids.has(q.id), q.id).toBe(false);
      expect(urls.has(q.url), q.url).toBe(false);
    }
  });
});
