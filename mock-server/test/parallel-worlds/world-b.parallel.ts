import { describeParallelWorld } from "./world-scenario.ts";

// World "b" of two; world-a.parallel.ts runs at the same time against the same mock process.
describeParallelWorld("b", "a");
