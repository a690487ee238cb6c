import { MockClock } from "../clock.ts";
import { MockState } from "../engine/mock-state.ts";
import { defaultSettings, MockSettings, type MockSettingsPatch } from "../settings.ts";
import { World } from "../world/directory.ts";
import { defaultWorldIndex } from "../world/default-world.ts";
import { WorldSeed, type WorldSeedInput } from "../world/world-schema.ts";
import type { WorldOptions } from "./world-catalog.ts";

/** What every new world starts from unless told otherwise: the server's own flags or options. */
export interface WorldTemplate {
  /** The documented default (the default), an empty world, or a seed. */
  world?: "default" | "empty" | WorldSeedInput;
  settings?: MockSettingsPatch;
  /** Where each new world's clock starts and whether it runs; by default from the real time, running. */
  clock?: { start?: Date | string | number; frozen?: boolean };
}

/**
 * Makes the state of new worlds. The template's seed is parsed and indexed
 * once and shared by every world made from it (worlds never change an indexed
 * seed: `PUT /__admin/world` swaps in a new one), so a thousand worlds cost a
 * thousand small states, not a thousand directories.
 */
export class WorldFactory {
  readonly #world: World;
  readonly #settings: MockSettings;
  readonly #clock: { startMs?: number; frozen?: boolean };

  constructor(template: WorldTemplate = {}) {
    this.#world = indexTemplateWorld(template.world);
    this.#settings = MockSettings.parse({ ...defaultSettings(), ...template.settings });
    this.#clock = {
      startMs: template.clock?.start === undefined ? undefined : new Date(template.clock.start).getTime(),
      frozen: template.clock?.frozen,
    };
  }

  create(options: WorldOptions = {}, realNow?: () => number): MockState {
    const world = options.world === undefined ? this.#world : indexTemplateWorld(options.world);
    const settings = options.settings ? MockSettings.parse({ ...this.#settings, ...options.settings }) : { ...this.#settings };
    const clock = new MockClock({
      startMs: options.clock?.start === undefined ? this.#clock.startMs : Date.parse(options.clock.start),
      frozen: options.clock?.frozen ?? this.#clock.frozen,
      realNow,
    });
    return new MockState({ world, settings, clock });
  }
}

function indexTemplateWorld(world: WorldTemplate["world"]): World {
  if (world === undefined || world === "default") return defaultWorldIndex();
  if (world === "empty") return new World({ corps: [], internalApps: [], suites: [], templates: [] });
  return new World(WorldSeed.parse(world));
}
