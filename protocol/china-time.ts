/**
 * The vendor's calendar: "per day" limits turn at 00:00 China time (UTC+8, no
 * daylight saving). The mock and the worker must agree on it to the millisecond.
 */
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

// The last day asked for: formatting a date is the costly part, and calls come in runs on the same day.
let lastDayNumber = NaN;
let lastDay = "";

/** The China-time day holding `epochMs`, as "YYYY-MM-DD". */
export function chinaDay(epochMs: number): string {
  const dayNumber = Math.floor((epochMs + CHINA_UTC_OFFSET_MS) / DAY_MS);
  if (dayNumber !== lastDayNumber) {
    lastDay = new Date(epochMs + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
    lastDayNumber = dayNumber;
  }
  return lastDay;
}

/** The first millisecond of the China-time day after the one holding `epochMs`. */
export function nextChinaMidnight(epochMs: number): number {
  return Math.floor((epochMs + CHINA_UTC_OFFSET_MS) / DAY_MS + 1) * DAY_MS - CHINA_UTC_OFFSET_MS;
}

/** "HH:MM:SS" China time, for explanations people read. */
export function chinaClockTime(epochMs: number): string {
  return new Date(epochMs + CHINA_UTC_OFFSET_MS).toISOString().slice(11, 19);
}
