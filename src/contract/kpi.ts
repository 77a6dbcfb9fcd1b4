/** Incident KPIs as the API and central see them (`GET /v1/metrics/summary`, `kpi.weekly`). */

/** The figures of a period, whether summarised on request or kept per week. */
export interface KpiFigures {
  readonly total: number;
  readonly by_status: Readonly<Record<string, number>>;
  /** Dismissed incidents / all incidents in the range. */
  readonly dismissed_rate: number;
  /** Incidents ever escalated / all incidents in the range. */
  readonly escalation_rate: number;
  /** Seconds from creation to the first human decision, over incidents that got one. */
  readonly time_to_decision_s: { readonly decided: number; readonly mean: number | null; readonly p90: number | null };
  readonly dismiss_reasons: Readonly<Record<string, number>>;
  readonly top_cameras: ReadonlyArray<{ readonly camera_id: string; readonly incidents: number }>;
  readonly top_zones: ReadonlyArray<{ readonly zone: string; readonly incidents: number }>;
  /**
   * Alert fatigue, 0..1: each dismissed incident weighs 1 when dismissed at once, falling linearly
   * to 0 at 600 s (FATIGUE_HORIZON_S in incidents/kpi.ts); the sum is divided by all incidents. High means operators spend
   * their day swatting alerts away unread: the rules or zones need tuning.
   */
  readonly alert_fatigue: number;
}

/** What `kpi.weekly` carries: the same figures as `GET /v1/metrics/summary` for that week. */
export interface WeeklyKpiFigures extends KpiFigures {
  readonly week: string;
  readonly from: string;
  readonly to: string;
  readonly by_rule: Readonly<Record<string, number>>;
  readonly transitions: Readonly<Record<string, number>>;
}
