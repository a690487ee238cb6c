import { afterAll, beforeAll, describe, it } from "vitest";
import { WorldScenario, waitForWorld, worldOf } from "./world-scenario.ts";

// World "a" of two; world-b.parallel.ts runs at the same time against the same mock process.
const scenario = new WorldScenario("a");

describe("world a on a shared mock", () => {
  beforeAll(async () => {
    await scenario.create();
    await waitForWorld(scenario.root, worldOf("b"), "world b's file should be running too");
  });
  afterAll(async () => {
    // Both worlds go when their file ends; the other file only reads its own.
    await scenario.root.dropWorld(worldOf("a")).catch(() => {});
    await scenario.root.dropWorld(`${worldOf("a")}-done`).catch(() => {});
  });

  it("sends, hits only its own limits, and moves only its own clock", async () => {
    await scenario.act();
    // Tell the other file this world is done, then wait until it is done too.
    await scenario.root.createWorld(`${worldOf("a")}-done`);
    await waitForWorld(scenario.root, `${worldOf("b")}-done`, "world b's file should finish its sends");
    await scenario.expectUntouched();
  });
});
