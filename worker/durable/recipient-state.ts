import type { DropReason, RecipientOutcome } from "../send/notification-record.ts";

/** `sending`: a chunk being sent holds the recipient (its reservation id in `reason`); read back as queued. */
export type StoredStatus = RecipientOutcome["status"] | "sending";

/**
 * Everything stored of a recipient but its userid: recipients whose states
 * are equal share one row of `recipient_groups`. See worker/STORAGE.md.
 */
export interface RecipientState {
  status: StoredStatus;
  reason: string | null;
  detail: string | null;
  taskId: number | null;
  errorCode: number | null;
  errorMessage: string | null;
  attempts: number;
  uncertainDay: string | null;
  notBeforeMs: number;
  verifiedAtMs: number | null;
  attemptDay: string | null;
}

export interface StateOptions {
  /** When a queued recipient is due. */
  notBeforeMs?: number;
  /** The China-time day of a send whose answer was lost: a retry relies on the vendor's same-day duplicate rule. */
  uncertainDay?: string;
}

const NEW: RecipientState = {
  status: "queued",
  reason: null,
  detail: null,
  taskId: null,
  errorCode: null,
  errorMessage: null,
  attempts: 0,
  uncertainDay: null,
  notBeforeMs: 0,
  verifiedAtMs: null,
  attemptDay: null,
};

/**
 * The state `outcome` moves a recipient to from `current` (a new recipient
 * when undefined). An outcome that does not say its attempts keeps the
 * stored count (it bounds re-sends of vendor drops); a lost send's day, once
 * known, is kept, as is the day of the latest attempt.
 */
export function stateAfter(outcome: RecipientOutcome, current: RecipientState = NEW, options: StateOptions = {}): RecipientState {
  const state: RecipientState = {
    ...NEW,
    attempts: current.attempts,
    uncertainDay: current.uncertainDay ?? options.uncertainDay ?? null,
    notBeforeMs: options.notBeforeMs ?? 0,
    attemptDay: current.attemptDay,
    status: outcome.status,
  };
  switch (outcome.status) {
    case "queued":
      state.errorCode = outcome.lastError?.code ?? null;
      state.errorMessage = outcome.lastError?.message ?? null;
      state.attempts = outcome.attempts ?? 0;
      break;
    case "sent":
      state.detail = outcome.verification ?? null;
      state.taskId = outcome.taskId;
      break;
    case "delivered":
      state.reason = outcome.read ? "read" : "unread";
      state.detail = outcome.detail ?? null;
      state.taskId = outcome.taskId;
      state.verifiedAtMs = Date.parse(outcome.verifiedAt);
      break;
    case "dropped":
      // The vendor's code is text ("143103", or "failed"/"invalid" for its other lists): kept in error_message.
      state.reason = outcome.reason;
      state.detail = outcome.detail;
      state.taskId = outcome.taskId;
      state.errorMessage = outcome.code;
      state.verifiedAtMs = Date.parse(outcome.verifiedAt);
      break;
    case "suppressed":
      state.reason = outcome.reason;
      state.detail = outcome.detail;
      break;
    case "failed":
      state.errorCode = outcome.error.code ?? null;
      state.errorMessage = outcome.error.message;
      break;
    case "uncertain":
      state.errorMessage = outcome.error.message;
      break;
  }
  return state;
}

/**
 * Keys for the states of one batch of recipients. A chunk's recipients share
 * one state, so a state is first compared field by field with the few seen
 * last, and only a new one is turned into text (a JSON text per recipient
 * was a third of a 1,000-recipient send's time).
 */
export class StateKeys {
  readonly #recent: { state: RecipientState; key: string }[] = [];

  key(state: RecipientState): string {
    for (const seen of this.#recent) if (sameState(seen.state, state)) return seen.key;
    const key = stateKey(state);
    if (this.#recent.unshift({ state, key }) > RECENT_STATES) this.#recent.pop();
    return key;
  }
}

/** Distinct states compared before one is turned into text: a batch rarely holds more. */
const RECENT_STATES = 8;

function sameState(a: RecipientState, b: RecipientState): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.detail === b.detail &&
    a.taskId === b.taskId &&
    a.errorCode === b.errorCode &&
    a.errorMessage === b.errorMessage &&
    a.attempts === b.attempts &&
    a.uncertainDay === b.uncertainDay &&
    a.notBeforeMs === b.notBeforeMs &&
    a.verifiedAtMs === b.verifiedAtMs &&
    a.attemptDay === b.attemptDay
  );
}

/** Equal keys, equal states: what decides that two recipients share a row. */
export function stateKey(state: RecipientState): string {
  return JSON.stringify([
    state.status,
    state.reason,
    state.detail,
    state.taskId,
    state.errorCode,
    state.errorMessage,
    state.attempts,
    state.uncertainDay,
    state.notBeforeMs,
    state.verifiedAtMs,
    state.attemptDay,
  ]);
}

/** What the API shows of a recipient in `state`. */
export function outcomeOf(userid: string, state: RecipientState): RecipientOutcome {
  const verifiedAt = state.verifiedAtMs !== null ? new Date(state.verifiedAtMs).toISOString() : "";
  switch (state.status) {
    case "queued":
    case "sending": {
      const outcome: RecipientOutcome = { userid, status: "queued" };
      if (state.attempts > 0) outcome.attempts = state.attempts;
      if (state.uncertainDay !== null) outcome.mayHaveBeenSent = true;
      if (state.errorMessage !== null) outcome.lastError = { ...(state.errorCode !== null ? { code: state.errorCode } : {}), message: state.errorMessage };
      return outcome;
    }
    case "sent": {
      const outcome: RecipientOutcome = { userid, status: "sent", taskId: state.taskId! };
      if (state.detail !== null) outcome.verification = state.detail;
      if (state.uncertainDay !== null) outcome.afterLostAnswer = true;
      return outcome;
    }
    case "delivered":
      return { userid, status: "delivered", taskId: state.taskId!, read: state.reason === "read", verifiedAt, ...(state.detail !== null ? { detail: state.detail } : {}) };
    case "dropped":
      return { userid, status: "dropped", taskId: state.taskId!, code: state.errorMessage ?? "", reason: state.reason as DropReason, detail: state.detail ?? "", verifiedAt };
    case "suppressed":
      return { userid, status: "suppressed", reason: state.reason as "duplicate-content" | "daily-cap", detail: state.detail ?? "" };
    case "failed":
      return { userid, status: "failed", error: { ...(state.errorCode !== null ? { code: state.errorCode } : {}), message: state.errorMessage ?? "" } };
    case "uncertain":
      return { userid, status: "uncertain", error: { message: state.errorMessage ?? "" } };
  }
}
