/**
 * protocol/zod.ts installs zod's English messages for zod/mini. Checked in a
 * fresh Node process that loads only protocol/ and the worker's schemas, as the
 * deployed worker does: in this test process other files may have loaded
 * classic zod, which installs English by itself and would hide a missing one.
 */
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs an ES module given as text in a fresh Node, from the repository root, and parses what it prints. */
function inFreshProcess(source: string): unknown {
  const stdout = execFileSync(process.execPath, ["--experimental-strip-types", "--no-warnings", "--input-type=module", "-e", source], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

describe("zod/mini as the project uses it", () => {
  it("answers in zod's English, the messages problem+json and 40035 quote, with no classic zod loaded", () => {
    const result = inFreshProcess(`
      import { TokenAnswer } from "./protocol/index.ts";
      import { validate } from "./protocol/problem-details.ts";
      import { NotificationBody } from "./worker/http/notification-schemas.ts";
      const token = TokenAnswer.safeParse({ errcode: 0, errmsg: "ok", access_token: "", expires_in: 1.5 });
      let problem;
      try { validate(NotificationBody, { templateId: "t", userIds: [7], agentId: "1" }, "body"); } catch (error) { problem = error.errors; }
      console.log(JSON.stringify({ token: token.error.issues.map((issue) => issue.message), problem }));
    `);
    expect(result).toEqual({
      token: ["Too small: expected string to have >=1 characters", "Invalid input: expected int, received number"],
      problem: [
        { path: "body.agentId", message: "Invalid input: expected number, received string" },
        { path: "body.userIds.0", message: "Invalid input: expected string, received number" },
      ],
    });
  });
});
