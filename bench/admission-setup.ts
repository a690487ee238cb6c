/**
 * What bench/admission.bench.ts and its growth part share: the limits, the
 * clock they step, and how a timed admission is read.
 */
import type { Admission } from "../worker/quota/admission.ts";
import type { QuotaLimits, QuotaStore } from "../worker/quota/quota-store.ts";
import { percentiles } from "./report.ts";

/**
 * The vendor's answer arrives at once: each chunk leaves flight, as the object
 * settles it after the call (an unanswered chunk would hold the window forever).
 */
export function answered(store: QuotaStore, nowMs: number, admission: Admission): Admission {
  if (admission.kind === "admitted") for (const chunk of admission.chunks) store.settle(chunk.reservationId, nowMs + LIMITS.clockSkewGuardMs);
  return admission;
}

export const LIMITS: QuotaLimits = { recipientsPerMinute: 5_000, recipientsPerSend: 1_000, dailyMessagesPerEmployee: 100, windowMs: 60_000, clockSkewGuardMs: 2_000 };
export const T0 = Date.parse("2026-11-25T02:00:00Z");
/** More than the 60 s window: every admission finds the window empty. */
export const STEP_MS = 61_000;

export function now(): bigint {
  return process.hrtime.bigint();
}

export interface Stats {
  n: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  minUs: number;
}

export function stats(ns: readonly number[]): Stats {
  const { n, p50, p99, mean, min } = percentiles(ns);
  return { n, p50Us: p50 / 1000, p99Us: p99 / 1000, meanUs: mean / 1000, minUs: min / 1000 };
}
