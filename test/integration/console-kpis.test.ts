// The KPI page in Chromium shows the daemon's own figures (GET /v1/metrics/summary), for each range.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { Incident } from "../../src/contract/incident.js";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";

interface Summary {
  total: number;
  dismissed_rate: number;
  escalation_rate: number;
  alert_fatigue: number;
  top_cameras: Array<{ camera_id: string; incidents: number }>;
  dismiss_reasons: Record<string, number>;
}

void describe("console: KPIs (Chromium, real daemon)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  before(async () => {
    box = await startConsoleBox();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
  });

  void it("cards and tables equal /v1/metrics/summary for 7d, 30d and all; the chart library loads on this page only", async () => {
    const op = await box.token(box.users.operator);
    const made: Incident[] = [];
    for (const camera of ["gate", "gate", "yard", "dock"] as const) made.push(await box.raiseTamper(camera));
    await box.api(`/v1/incidents/${made[0]?.id ?? ""}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "dismiss", dismiss_reason: "weather" }),
    });
    await box.api(`/v1/incidents/${made[2]?.id ?? ""}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "escalate" }),
    });

    const { page, context, problems } = await openConsole(browser, `${box.url}/incidents`);
    try {
      const scripts: string[] = [];
      page.on("request", (r) => {
        if (r.resourceType() === "script") scripts.push(r.url());
      });
      await signIn(page, box.users.viewer);
      await page.getByRole("listbox", { name: /Incidents/ }).waitFor();
      assert.ok(!scripts.some((s) => s.includes("kpi-charts")), "the queue does not load the charts");
      await page.getByRole("link", { name: "KPIs" }).click();
      for (const range of ["7d", "30d", "all"] as const) {
        await page.getByLabel("Range").selectOption(range);
        const api = (await box.api<Summary>(`/v1/metrics/summary?range=${range}`, { token: op })).body;
        const card = async (name: string): Promise<string> =>
          (await page.getByRole("group", { name }).locator(".value").textContent()) ?? "";
        await page.getByRole("group", { name: "Total" }).getByText(String(api.total), { exact: true }).waitFor();
        assert.equal(await card("Dismissed rate"), `${(api.dismissed_rate * 100).toFixed(1)}%`);
        assert.equal(await card("Escalation rate"), `${(api.escalation_rate * 100).toFixed(1)}%`);
        assert.equal(await card("Alert fatigue"), api.alert_fatigue.toFixed(3));
        const rows = await page.getByRole("table", { name: "Top cameras" }).locator("tbody tr").allTextContents();
        assert.deepEqual(
          rows,
          api.top_cameras.map((c) => `${c.camera_id}${c.incidents}`),
        );
        assert.equal(
          await page.getByRole("img", { name: /Dismissals by reason/ }).getAttribute("aria-label"),
          `Dismissals by reason: ${Object.entries(api.dismiss_reasons)
            .map(([r, n]) => `${r} ${n}`)
            .join(", ")}`,
        );
      }
      assert.equal(
        scripts.filter((s) => s.includes("kpi-charts")).length,
        1,
        "the charts' chunk loads once, on the KPI page",
      );
      await page.locator(".uplot").first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
