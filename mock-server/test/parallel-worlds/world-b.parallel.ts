import { afterAll, beforeAll, describe, it } from "vitest";
import { WorldScenario, waitForWorld, worldOf } from "./world-scenario.ts";

// World "b" of two; world-a.parallel.ts runs at the same time against the same mock process.
const scenario = new WorldScenario("b");

describe("world b on a shared mock", () => {
  beforeAll(async () => {
    await scenario.create();
    await waitForWorld(scenario.root, worldOf("a"), "world a's file should be running too");
  });
  afterAll(async () => {
    // Both worlds go when their file ends; the other file only reads its own.
    await scenario.root.dropWorld(worldOf("b")).catch(() => {});
    await scenario.root.dropWorld(`${worldOf("b")}-done`).catch(() => {});
  });

  it("sends, hits only its own limits, and moves only its own clock", async () => {
    await scenario.act();
    // Tell the other file this world is done, then wait until it is done too.
    await scenario.root.createWorld(`${worldOf("b")}-done`);
    await waitForWorld(scenario.root, `${worldOf("a")}-done`, "world a's file should finish its sends");
    await scenario.expectUntouched();
  });
});
