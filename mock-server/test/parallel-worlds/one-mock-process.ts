import type { TestProject } from "vitest/node";
import { startMockServer } from "../../node-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    mockUrl: string;
    runId: string;
  }
}

/** One mock server for the whole run: every test file talks to this process. */
export default async function setup(project: TestProject) {
  const server = await startMockServer({ port: 0 });
  project.provide("mockUrl", server.url);
  project.provide("runId", Date.now().toString(36));
  return () => server.close();
}
