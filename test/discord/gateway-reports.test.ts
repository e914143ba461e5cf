/**
 * /report's form over the gateway transport (issue 18): the real discord.js Client, fed raw
 * INTERACTION_CREATE payloads, answering through the loopback Discord API fake. The form opens
 * (callback type 9) and its submission is answered like the HTTP endpoint's.
 */
import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './gateway-harness.js';
import { command, GUILD } from './helpers.js';

const gateway = gatewayPerFile('whichgpu-gateway-reports-');
const { deliver } = gateway;

describe('/report over the gateway', () => {
  it('opens the form without a paste, and stores what the form sends, its lines kept', async () => {
    const opened = await deliver(command('report', { model: 'llama 3.1 8b' }));
    expect(opened.body).toMatchObject({ type: 9, data: { custom_id: 'report_form' } });
    const submit = {
      ...command('report', {}, { user: '737373737373737373' }),
      type: 5,
      data: {
        custom_id: 'report_form',
        components: [
          {
            type: 18,
            id: 1,
            component: {
              type: 4,
              id: 2,
              custom_id: 'paste',
              value: 'Prompt evaluation: 9000 tok/s\nToken generation: 190 tok/s',
            },
          },
          { type: 18, id: 3, component: { type: 4, id: 4, custom_id: 'machine', value: 'rtx-5090' } },
          { type: 18, id: 5, component: { type: 4, id: 6, custom_id: 'model', value: 'llama 3.1 8b' } },
          { type: 18, id: 7, component: { type: 4, id: 8, custom_id: 'quant', value: 'Q4_K_M' } },
        ],
      },
    };
    const saved = await deliver(submit);
    const body = saved.body as { type: number; data: { content: string; flags?: number } };
    expect(body.type).toBe(4);
    expect(body.data.flags ?? 0).toBe(0);
    const id = Number(/^Report #(\d+) saved/.exec(body.data.content)?.[1]);
    expect(await gateway.store.getReport('discord', GUILD, id)).toMatchObject({
      status: 'pending',
      reportedBy: '737373737373737373',
      device: 'rtx-5090',
      model: 'llama-3.1-8b',
      decodeTokensPerSec: 190,
      prefillTokensPerSec: 9000,
    });
  });
});
