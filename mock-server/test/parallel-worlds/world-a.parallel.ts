import { describeParallelWorld } from "./world-scenario.ts";

// World "a" of two; world-b.parallel.ts runs at the same time against the same mock process.
describeParallelWorld("a", "b");
