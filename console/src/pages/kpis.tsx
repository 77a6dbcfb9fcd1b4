import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { describeError } from "../api/errors";
import type { GetOk, KpiSummary } from "../api/types";
import { formatDuration } from "../attention";

type Range = "7d" | "30d" | "all";
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const secs = (x: number | null): string => (x === null ? "–" : formatDuration(Math.round(x)));

function Charts({ summary }: { summary: KpiSummary }) {
  const daily = useRef<HTMLDivElement>(null);
  const reasons = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cleanups: Array<() => void> = [];
    let gone = false;
    void import("./kpi-charts").then((charts) => {
      if (gone || !daily.current || !reasons.current) return;
      cleanups = [charts.dailyChart(daily.current, summary), charts.reasonsChart(reasons.current, summary)];
    });
    return () => {
      gone = true;
      cleanups.forEach((c) => c());
    };
  }, [summary]);
  return (
    <div class="charts">
      <div
        ref={daily}
        role="img"
        aria-label={`Incidents per day: ${summary.daily.map((d) => `${d.day} ${d.incidents}`).join(", ") || "none"}`}
      />
      <div
        ref={reasons}
        role="img"
        aria-label={`Dismissals by reason: ${
          Object.entries(summary.dismiss_reasons)
            .map(([r, n]) => `${r} ${n}`)
            .join(", ") || "none"
        }`}
      />
    </div>
  );
}

export function KpiPage() {
  const [range, setRange] = useState<Range>("7d");
  const [summary, setSummary] = useState<KpiSummary>();
  const [weekly, setWeekly] = useState<GetOk<"/v1/metrics/weekly">["weeks"]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.summary(range).then(setSummary, (e: unknown) => setError(describeError(e)));
  }, [range]);
  useEffect(() => {
    api.weekly().then(
      (w) => setWeekly(w.weeks),
      () => {},
    );
  }, []);
  const card = (label: string, value: string) => (
    <div class="card" role="group" aria-label={label}>
      <span class="label">{label}</span>
      <strong class="value">{value}</strong>
    </div>
  );
  return (
    <section aria-labelledby="kpi-title">
      <h1 id="kpi-title">KPIs</h1>
      <label>
        Range
        <select value={range} onChange={(e) => setRange(e.currentTarget.value as Range)}>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="all">All</option>
        </select>
      </label>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {summary && (
        <>
          <div class="cards">
            {card("Total", String(summary.total))}
            {card("Dismissed rate", pct(summary.dismissed_rate))}
            {card("Escalation rate", pct(summary.escalation_rate))}
            {card("Mean time to decision", secs(summary.time_to_decision_s.mean))}
            {card("P90 time to decision", secs(summary.time_to_decision_s.p90))}
            {card("Alert fatigue", summary.alert_fatigue.toFixed(3))}
          </div>
          <Charts summary={summary} />
          <div class="tables">
            <table aria-label="Top cameras">
              <caption>Top cameras</caption>
              <thead>
                <tr>
                  <th scope="col">Camera</th>
                  <th scope="col">Incidents</th>
                </tr>
              </thead>
              <tbody>
                {summary.top_cameras.map((c) => (
                  <tr key={c.camera_id}>
                    <td>{c.camera_id}</td>
                    <td>{c.incidents}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table aria-label="Top zones">
              <caption>Top zones</caption>
              <thead>
                <tr>
                  <th scope="col">Zone</th>
                  <th scope="col">Incidents</th>
                </tr>
              </thead>
              <tbody>
                {summary.top_zones.map((z) => (
                  <tr key={z.zone}>
                    <td>{z.zone}</td>
                    <td>{z.incidents}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <table aria-label="Weekly figures">
        <caption>Weekly figures</caption>
        <thead>
          <tr>
            <th scope="col">Week</th>
            <th scope="col">Total</th>
            <th scope="col">Dismissed rate</th>
            <th scope="col">Escalation rate</th>
            <th scope="col">Mean time to decision</th>
            <th scope="col">Alert fatigue</th>
          </tr>
        </thead>
        <tbody>
          {weekly.map((w) => (
            <tr key={w.week}>
              <td>{w.week}</td>
              <td>{w.total}</td>
              <td>{pct(w.dismissed_rate)}</td>
              <td>{pct(w.escalation_rate)}</td>
              <td>{secs(w.time_to_decision_s.mean)}</td>
              <td>{w.alert_fatigue.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
