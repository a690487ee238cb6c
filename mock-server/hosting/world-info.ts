import type { MockState } from "../engine/mock-state.ts";
import { ProblemError } from "../../protocol/problem-details.ts";
import type { WorldInfo } from "./world-catalog.ts";
import { worldBasePath } from "./world-names.ts";

/** `GET /__admin/worlds/:name`, the same from every host. */
export function describeWorld(name: string, state: MockState, createdAtMs: number, lastUsedMs: number): WorldInfo {
  return {
    name,
    basePath: worldBasePath(name),
    createdAt: new Date(createdAtMs).toISOString(),
    lastUsedAt: new Date(lastUsedMs).toISOString(),
    mockNow: new Date(state.clock.now()).toISOString(),
    journal: { size: state.journal.size, dropped: state.journal.dropped, limit: state.settings.journalLimit },
    tasks: state.tasks.size,
    tasksDropped: { ...state.tasks.drops },
    memory: { budgetBytes: state.settings.worldMemoryBudgetBytes, ...state.bytes() },
  };
}

export function worldLimitProblem(name: string, count: number, maxWorlds: number): ProblemError {
  return new ProblemError(
    503,
    "world-limit-reached",
    `path.world: cannot create world "${name}": ${count} named worlds exist, at most ${maxWorlds}; DELETE /__admin/worlds/<name> the ones you are done with`,
  );
}
