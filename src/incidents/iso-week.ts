const DAY_MS = 86_400_000;

export interface IsoWeek {
  /** `2026-W47`: ISO 8601 week-numbering year and week. */
  readonly key: string;
  /** Monday 00:00 UTC, epoch ms. */
  readonly start: number;
  /** The next Monday 00:00 UTC (exclusive). */
  readonly end: number;
}

/** The ISO 8601 week (UTC, weeks start on Monday, week 1 holds the year's first Thursday) of an instant. Pure. */
export function isoWeek(ms: number): IsoWeek {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  const weekday = (((day + 3) % 7) + 7) % 7;
  const monday = day - weekday;
  const thursday = new Date((monday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = Math.floor(Date.UTC(year, 0, 1) / DAY_MS);
  const week = Math.floor((monday + 3 - jan1) / 7) + 1;
  return { key: `${year}-W${String(week).padStart(2, "0")}`, start: monday * DAY_MS, end: (monday + 7) * DAY_MS };
}
