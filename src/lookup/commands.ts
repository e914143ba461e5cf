/**
 * The lookup the commands get: src/lookup's lookupModel with the configured endpoints and the
 * store's cache, or nothing when MODEL_LOOKUP=off (the catalog alone answers, and no lookup is said).
 */
import type { ModelLookup } from '../../commands/types.js';
import type { Store } from '../store/store.js';
import { lookupModel, type LookupConfig } from './cache.js';

export function modelLookupFor(config: LookupConfig, store: Store | undefined): ModelLookup | undefined {
  if (config.MODEL_LOOKUP === 'off') return undefined;
  return (ref) => lookupModel(ref, { config, cache: store });
}
