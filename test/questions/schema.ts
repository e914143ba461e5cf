/**
 * The corpus of real questions (issue 13): what people asked in public, verbatim, with the link
 * where they asked it, and how whichgpu should read it. Nobody on the team writes these.
 */
import { z } from 'zod';

export const DeviceReadingSchema = z.object({
  /** The machine as a spec: "RTX 3060 12GB", "Mac Studio M2 Ultra 192GB", "CPU only". */
  name: z.string().min(1),
  /** Per GPU, or unified memory, when the asker said it or the exact model fixes it. */
  memoryGB: z.number().positive().nullable().optional(),
  /** How many; null when the asker did not say ("several Mac minis"). */
  gpus: z.number().int().positive().nullable().default(1),
  hostRamGB: z.number().positive().nullable().optional(),
  role: z.enum(['current', 'candidate']).nullable().optional(),
});

const IntentSchema = z.enum(['compare', 'fit', 'speed', 'plan', 'upgrade', 'help', 'other']);

export const ReadingSchema = z.object({
  intent: IntentSchema,
  /**
   * The intent a second annotator chose instead, labelling the text blind (neither the first label
   * nor the bot's reading seen): the question reads both ways.
   */
  alsoIntent: z.array(IntentSchema).optional(),
  model: z.string().min(1).nullable(),
  modelKind: z.enum(['llm', 'image', 'video']).nullable().optional(),
  quant: z.string().min(1).nullable().optional(),
  contextTokens: z.number().int().positive().nullable().optional(),
  workflow: z
    .enum(['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'training', 'serving'])
    .nullable()
    .optional(),
  priority: z.enum(['speed', 'silence', 'power', 'budget']).nullable().optional(),
  devices: z.array(DeviceReadingSchema),
});

export const QuestionSchema = z.object({
  id: z.string().regex(/^q\d{3,5}$/),
  text: z.string().min(8).max(600),
  url: z
    .string()
    .url()
    .regex(/^https?:\/\//),
  source: z.string().min(2),
  asked: z
    .string()
    .regex(/^\d{4}(-\d{2})?$/)
    .nullable()
    .optional(),
  expect: ReadingSchema,
});
export type Question = z.infer<typeof QuestionSchema>;
