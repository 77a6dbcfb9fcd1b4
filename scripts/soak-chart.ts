// Renders soak samples to a PNG with uPlot (a maintained charting library, already the console's)
// in headless Chromium (playwright-core, Debian's chromium). Used by scripts/soak.ts.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { SoakSample } from "./soak-sample.js";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: ReadonlyArray<{ readonly label: string; readonly key: keyof SoakSample; readonly color: string }>;
}

const PANELS: readonly Panel[] = [
  {
    title: "Memory (MiB)",
    unit: "MiB",
    series: [
      { label: "RSS", key: "rss_mib", color: "#c0392b" },
      { label: "anonymous (smaps_rollup)", key: "anon_mib", color: "#e67e22" },
      { label: "JS heap used", key: "heap_used_mib", color: "#2980b9" },
      { label: "external", key: "external_mib", color: "#16a085" },
      { label: "ffmpeg children RSS", key: "children_rss_mib", color: "#8e44ad" },
    ],
  },
  {
    title: "Descriptors, threads, children",
    unit: "",
    series: [
      { label: "open fds", key: "fds", color: "#2c3e50" },
      { label: "threads", key: "threads", color: "#d35400" },
      { label: "children", key: "children", color: "#27ae60" },
    ],
  },
  {
    title: "Recording ring (MiB) and clips",
    unit: "",
    series: [
      { label: "ring MiB (all cameras)", key: "ring_mib", color: "#2980b9" },
      { label: "clips stored", key: "clips", color: "#27ae60" },
    ],
  },
  {
    title: "Event-loop lag (ms)",
    unit: "ms",
    series: [
      { label: "lag at scrape", key: "lag_ms", color: "#7f8c8d" },
      { label: "p99", key: "lag_p99_ms", color: "#c0392b" },
    ],
  },
];

/** Writes `png` with one panel per PANELS entry, minutes on the x axis. */
export async function renderChart(
  samples: readonly SoakSample[],
  title: string,
  png: string,
  root: string,
): Promise<void> {
  const uplot = await readFile(join(root, "node_modules", "uplot", "dist", "uPlot.iife.min.js"), "utf8");
  const css = await readFile(join(root, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8");
  const xs = samples.map((s) => s.t / 60);
  const data = PANELS.map((p) => [xs, ...p.series.map((s) => samples.map((x) => x[s.key]))]);
  const specs = PANELS.map((p) => ({
    title: p.title,
    series: p.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 })),
  }));
  const html = `<!doctype html><html><head><style>${css} body{font-family:sans-serif;margin:8px;background:#fff} h1{font-size:16px}</style></head>
<body><h1 id="t"></h1><div id="c"></div><script>${uplot}</script><script>
const specs = ${JSON.stringify(specs)}; const data = ${JSON.stringify(data)};
document.getElementById("t").textContent = ${JSON.stringify(title)};
for (let i = 0; i < specs.length; i++) {
  new uPlot({ title: specs[i].title, width: 1000, height: 260, scales: { x: { time: false } },
    axes: [{ label: "minutes" }, {}], series: [{ label: "min" }, ...specs[i].series] }, data[i], document.getElementById("c"));
}
window.done = true;
</script></body></html>`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1020, height: 960 } });
    await page.setContent(html);
    await page.waitForFunction("window.done === true");
    await writeFile(png, await page.screenshot({ fullPage: true }));
  } finally {
    await browser.close();
  }
}
