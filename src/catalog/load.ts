/**
 * Reads data/*.json once and builds the catalog. The only place the data files touch the disk;
 * the JSON is imported as modules so a bundled or installed copy needs no path juggling.
 */
import hardware from '../../data/hardware.json' with { type: 'json' };
import models from '../../data/models.json' with { type: 'json' };
import quants from '../../data/quants.json' with { type: 'json' };
import benchmarks from '../../data/benchmarks.json' with { type: 'json' };
import workflows from '../../data/workflows.json' with { type: 'json' };
import calibration from '../../data/calibration.json' with { type: 'json' };
import media from '../../data/media-models.json' with { type: 'json' };
import quality from '../../data/quality.json' with { type: 'json' };
import generation from '../../data/media-generation.json' with { type: 'json' };
import diffusion from '../../data/diffusion-calibration.json' with { type: 'json' };
import power from '../../data/power-calibration.json' with { type: 'json' };
import powerReadings from '../../data/power-readings.json' with { type: 'json' };
import serving from '../../data/serving-calibration.json' with { type: 'json' };
import finetune from '../../data/finetune-calibration.json' with { type: 'json' };
import appleChips from '../../data/machines/apple.json' with { type: 'json' };
import genericChips from '../../data/machines/generic.json' with { type: 'json' };
import nvidiaChips from '../../data/machines/nvidia.json' with { type: 'json' };
import amdIntelChips from '../../data/machines/amd-intel-other.json' with { type: 'json' };
import asiaModels from '../../data/models/asia.json' with { type: 'json' };
import westModels from '../../data/models/west.json' with { type: 'json' };
import moreModels from '../../data/models/more.json' with { type: 'json' };
import { buildCatalog, type Catalog } from '../core/index.js';

let cached: Catalog | undefined;

/** The catalog of data/, validated on first use; throws CatalogError or a ZodError naming the bad field. */
export function loadCatalog(): Catalog {
  cached ??= buildCatalog({
    hardware,
    models,
    quants,
    benchmarks,
    workflows,
    calibration,
    machines: [nvidiaChips, appleChips, amdIntelChips, genericChips],
    media,
    moreModels: [asiaModels, westModels, moreModels],
    quality,
    generation,
    diffusion,
    power,
    powerReadings,
    serving,
    finetune,
  });
  return cached;
}
