/** help: what the bot does and how to ask. */
import { z } from 'zod';
import type { Command } from './types.js';

export const HELP_TEXT = `whichgpu answers "RTX 5090 or Mac Studio M4 Max?" for your model and workflow, with sourced numbers.

Ask:      llama 3.3 70b q8 for coding, 8h a day at 30 cents
          qwen2.5-coder:32b quiet        gpt-oss 120b vs m3 ultra for rag        flux image gen
Options:  model, quant (q4_k_m, q8_0, f16, mxfp4, 4bit), context (32k), workflow (chat coding rag image
          video fine-tune training serving), priority (speed silence power budget balanced), against
          (another device), hours, kwh_price, years, tokens_per_day, api_price
Plan:     plan 3090 coding 32k 20 tok/s · plan I have a 3090, 5090 or mac studio? (the best models each runs)
Answer:   someone's question where they asked it: Apps (Discord) or More actions (Slack) > Answer with whichgpu
Pins:     verdicts [page] · verdicts refresh <id> · verdicts unpin <id> (moderators)
Report:   report <what llama-bench, ollama run --verbose, LM Studio or mlx_lm printed> (machine: model: quant:
          before it when it does not say) · reports · report approve|reject|delete <id> (moderators)
Settings: settings · settings set kwh_price=0.30 hours=12 years=5 workflow=coding (moderators)`;

export default {
  name: 'help',
  description: 'How to ask whichgpu.',
  options: [],
  schema: z.object({}),
  async execute() {
    return { kind: 'help', text: HELP_TEXT };
  },
} satisfies Command<Record<string, never>>;
