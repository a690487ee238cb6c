/**
 * The delivery checks `npm run bench:worker` counts after its verified sends:
 * the object's alarm reads each task's getsendprogress and getsendresult
 * VERIFY_AFTER_MS after the send, 10 tasks a run. Read from the mock's journal.
 */
import type { JournalEntry } from "../mock-server/engine/journal.ts";

/** Verified sends made, and the tasks (of at most 100 recipients) they became. */
export interface VerifiedSends {
  sends: number;
  recipients: number;
  tasks: number;
}

export interface VerificationChecks extends VerifiedSends {
  /** getsendprogress and getsendresult calls. */
  calls: number;
  /** Tasks checked: each check ends with one getsendresult (a retried check counts twice). */
  checkedTasks: number;
}

/** Waits, at most `waitMs`, for a check of every task, then counts what the alarms did. */
export async function awaitVerificationChecks(journal: () => readonly JournalEntry[], verified: VerifiedSends, waitMs: number): Promise<VerificationChecks> {
  const checks = () => journal().filter((entry) => entry.endpoint === "getSendResult").length;
  for (const waitStarted = Date.now(); checks() < verified.tasks && Date.now() - waitStarted < waitMs; ) await new Promise((resolve) => setTimeout(resolve, 250));
  const calls = journal().filter((entry) => entry.endpoint === "getSendResult" || entry.endpoint === "getSendProgress").length;
  return { ...verified, calls, checkedTasks: Math.max(1, checks()) };
}

/** One sentence: the calls per task checked, and whether the wait ended before the alarms did. */
export function describeVerificationChecks(checks: VerificationChecks, waitMs: number): string {
  const perTask = checks.calls / checks.checkedTasks;
  const coverage =
    checks.checkedTasks < checks.tasks
      ? `(of ${checks.tasks}, from ${checks.sends} verified sends: the alarms, 10 tasks a run, had not finished when the ${waitMs / 1000} s wait ended)`
      : `(all ${checks.tasks}, from ${checks.sends} verified sends)`;
  return (
    `Checks afterwards: ${checks.calls} getsendprogress/getsendresult calls for the ${checks.checkedTasks} tasks checked ${coverage} ` +
    `(${perTask.toFixed(2)} per task, so ${(perTask * 10).toFixed(1)} per 1,000 recipients in tasks of 100, besides 10 sends instead of 1).`
  );
}
