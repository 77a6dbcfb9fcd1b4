// Loaded only by the KPI page (a dynamic import): uPlot and its CSS stay out of the first load.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { KpiSummary } from "../api/types";

const WIDTH = 560;
const DAY_S = 86_400;

/** Daily incidents, dismissed and escalated, as lines over days. */
export function dailyChart(el: HTMLElement, s: KpiSummary): () => void {
  const xs = s.daily.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
  const plot = new uPlot(
    {
      title: "Incidents per day",
      width: Math.min(WIDTH, el.clientWidth || WIDTH),
      height: 220,
      // One day alone would otherwise be stretched over years: keep a few days either side.
      scales: { x: { time: true, auto: false, range: [(xs[0] ?? 0) - DAY_S, (xs.at(-1) ?? 0) + DAY_S] } },
      series: [
        {},
        { label: "incidents", stroke: "#1d4ed8", points: { show: true } },
        { label: "dismissed", stroke: "#6b7280" },
        { label: "escalated", stroke: "#b91c1c" },
      ],
    },
    [xs, s.daily.map((d) => d.incidents), s.daily.map((d) => d.dismissed), s.daily.map((d) => d.escalated)],
    el,
  );
  return () => plot.destroy();
}

/** Dismissals by reason, as bars (uPlot's bars path builder). */
export function reasonsChart(el: HTMLElement, s: KpiSummary): () => void {
  const reasons = Object.keys(s.dismiss_reasons).sort();
  const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
  const plot = new uPlot(
    {
      title: "Dismissals by reason",
      width: Math.min(WIDTH, el.clientWidth || WIDTH),
      height: 220,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, reasons.length - 0.5)] } },
      axes: [
        {
          values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (reasons[t] ?? "").replaceAll("_", " ") : "")),
        },
        {},
      ],
      series: [{}, { label: "dismissed", fill: "#93c5fd", stroke: "#1d4ed8", ...(bars ? { paths: bars } : {}) }],
    },
    [reasons.map((_r, k) => k), reasons.map((r) => s.dismiss_reasons[r] ?? 0)],
    el,
  );
  return () => plot.destroy();
}
