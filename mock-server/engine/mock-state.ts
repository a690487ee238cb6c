import { MockClock, type ClockState } from "../clock.ts";
import { defaultSettings, MockSettings, type MockSettingsPatch } from "../settings.ts";
import { defaultWorldIndex } from "../world/default-world.ts";
import { World } from "../world/directory.ts";
import type { WorldSeed } from "../world/world-schema.ts";
import { EmployeeLedger } from "./employee-ledger.ts";
import { FaultRules } from "./fault-rules.ts";
import { Inbox } from "./inbox.ts";
import { Journal } from "./journal.ts";
import { MinuteWindow } from "./minute-window.ts";
import { MockEvents } from "./mock-events.ts";
import { QpsLimiter } from "./qps-limiter.ts";
import type { KeptTask } from "./kept-task.ts";
import { TaskStore } from "./task-store.ts";
import { TokenStore } from "./token-store.ts";

/** Everything one simulated DingTalk knows. The HTTP layer reads and changes it; nothing else does. */
export class MockState {
  world: World;
  settings: MockSettings;
  readonly clock: MockClock;
  tokens = new TokenStore();
  minuteWindow = new MinuteWindow();
  ledger = new EmployeeLedger();
  tasks = new TaskStore();
  inbox = new Inbox();
  journal = new Journal();
  faults = new FaultRules();
  qps = new QpsLimiter();
  /** Live notifications for the web inbox; not part of the snapshot. */
  readonly events = new MockEvents();

  /** True while the world is the built-in default, so snapshots need not carry 10,000 users. */
  get isDefaultWorld(): boolean {
    return this.world === defaultWorldIndex();
  }

  /** The world and settings this state started with, which a reset goes back to. */
  #origin: { world: World; settings: MockSettings };

  /**
   * `world`: undefined for the built-in default, null for an empty one, a seed,
   * or an already indexed World. Worlds are immutable once indexed, so many
   * states can share one (a host serving many test worlds indexes each seed once).
   */
  constructor(options: { world?: World | WorldSeed | null; settings?: MockSettings; clock: MockClock }) {
    this.world = indexWorld(options.world === undefined ? "default" : options.world ?? emptyWorld());
    this.settings = options.settings ?? defaultSettings();
    this.clock = options.clock;
    this.#origin = { world: this.world, settings: this.settings };
  }

  /** Replaces the world and forgets everything that happened in the old one. */
  reseed(world: World | WorldSeed | "default"): void {
    this.world = indexWorld(world);
    this.#clearActivity();
  }

  /** Back to the world and settings it started with, with no faults and an empty journal; the clock is left where it is. */
  reset(): void {
    this.reseed(this.#origin.world);
    this.settings = { ...this.#origin.settings };
    this.faults.clear();
    this.journal = new Journal();
  }

  /** Keeps a new task within `taskLimit`, a week and the world's memory budget (the oldest go first). */
  keepTask(task: KeptTask): void {
    const { taskLimit, worldMemoryBudgetBytes } = this.settings;
    this.tasks.add(task, taskLimit, { budgetBytes: worldMemoryBudgetBytes, otherBytes: this.bytes().total - this.tasks.bytes });
  }

  /**
   * What the world holds, in accounted bytes: estimates kept up as things are
   * added and dropped (each part documents its constants), checked against
   * the measured heap by bench/retained-state.ts. The directory is not
   * counted: worlds share it.
   */
  bytes(): WorldBytes {
    const parts = {
      tasks: this.tasks.bytes,
      inbox: this.inbox.bytes,
      ledger: this.ledger.bytes,
      journal: this.journal.bytes,
      minuteWindow: this.minuteWindow.bytes,
    };
    return { total: parts.tasks + parts.inbox + parts.ledger + parts.journal + parts.minuteWindow, ...parts };
  }

  updateSettings(patch: MockSettingsPatch): MockSettings {
    this.settings = MockSettings.parse({ ...this.settings, ...patch });
    return this.settings;
  }

  #clearActivity(): void {
    this.tokens = new TokenStore();
    this.minuteWindow = new MinuteWindow();
    this.ledger = new EmployeeLedger();
    this.tasks = new TaskStore();
    this.inbox = new Inbox();
    this.qps = new QpsLimiter();
  }

  snapshot(): MockSnapshot {
    return {
      version: SNAPSHOT_VERSION,
      world: this.isDefaultWorld ? null : this.world.seed,
      settings: this.settings,
      clock: this.clock.snapshot(),
      tokens: this.tokens.snapshot(),
      minuteWindow: this.minuteWindow.snapshot(),
      ledger: this.ledger.snapshot(),
      tasks: this.tasks.snapshot(),
      inbox: this.inbox.snapshot(),
      journal: this.journal.snapshot(),
      faults: this.faults.snapshot(),
      origin: {
        world: this.#origin.world === this.world ? "current" : this.#origin.world === defaultWorldIndex() ? null : this.#origin.world.seed,
        settings: this.#origin.settings,
      },
    };
  }

  restore(snapshot: MockSnapshot): void {
    if (snapshot.version !== SNAPSHOT_VERSION) throw new Error(`unsupported snapshot version ${snapshot.version}`);
    this.reseed(snapshot.world ?? "default");
    // Defaults first: a snapshot stored before a setting existed still restores.
    this.settings = MockSettings.parse({ ...defaultSettings(), ...snapshot.settings });
    this.clock.restore(snapshot.clock);
    this.tokens.restore(snapshot.tokens);
    this.minuteWindow.restore(snapshot.minuteWindow);
    this.ledger.restore(snapshot.ledger);
    this.tasks.restore(snapshot.tasks);
    this.inbox.restore(snapshot.inbox);
    this.journal.restore(snapshot.journal);
    this.faults.restore(snapshot.faults);
    // Snapshots from before `origin` was kept reset to what they hold.
    const origin = snapshot.origin ?? { world: "current", settings: this.settings };
    this.#origin = {
      world: origin.world === "current" ? this.world : indexWorld(origin.world ?? "default"),
      settings: MockSettings.parse({ ...defaultSettings(), ...origin.settings }),
    };
  }
}

/**
 * Bump when the snapshot's shape changes; older snapshots are then refused, not misread.
 * 2: the ledger nests employees under their app, and settings have `taskLimit`.
 */
export const SNAPSHOT_VERSION = 2;

export interface WorldBytes {
  total: number;
  tasks: number;
  inbox: number;
  ledger: number;
  journal: number;
  minuteWindow: number;
}

export interface MockSnapshot {
  version: number;
  world: WorldSeed | null;
  settings: MockSettings;
  clock: ClockState;
  tokens: ReturnType<TokenStore["snapshot"]>;
  minuteWindow: ReturnType<MinuteWindow["snapshot"]>;
  ledger: ReturnType<EmployeeLedger["snapshot"]>;
  tasks: ReturnType<TaskStore["snapshot"]>;
  inbox: ReturnType<Inbox["snapshot"]>;
  journal: ReturnType<Journal["snapshot"]>;
  faults: ReturnType<FaultRules["snapshot"]>;
  /** What a reset goes back to: "current" when that is the world in force, null for the default one. */
  origin?: { world: WorldSeed | null | "current"; settings: MockSettings };
}

function indexWorld(world: World | WorldSeed | "default"): World {
  if (world === "default") return defaultWorldIndex();
  return world instanceof World ? world : new World(world);
}

function emptyWorld(): WorldSeed {
  return { corps: [], internalApps: [], suites: [], templates: [] };
}
