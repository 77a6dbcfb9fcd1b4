// The console checked by axe-core (Deque's accessibility engine) in Debian's Chromium against a
// real daemon: every page, signed in as an admin so every control is on screen, against WCAG 2 A
// and AA (labels, names, roles, contrast, landmarks). Tests elsewhere drive the pages by role and
// label; this catches what those do not touch.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, signIn, snapshotsLoaded } from "../helpers/browser.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";

const AXE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe's WCAG 2 A/AA violations on the page as it stands. */
async function violations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Violation[] }> } }
    ).axe;
    return axe.run({ exclude: [] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  return result.violations;
}

const describeViolations = (v: Violation[]): string =>
  v.map((x) => `${x.id} (${x.impact}): ${x.help} at ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n");

void describe("console accessibility (axe-core, WCAG 2.1 A/AA, Chromium, real daemon)", () => {
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

  void it("the login page, the queue, an incident, the KPIs and the account page have no violations", async () => {
    const incident = await box.raiseIntrusion();
    // axe is injected as a script, which the console's CSP (rightly) refuses: this context alone bypasses it.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await p.goto(`${box.url}/login`);
      await p.getByLabel("Username").waitFor();
      const found: Record<string, Violation[]> = { login: await violations(p) };
      await signIn(p, box.users.admin);
      await p.goto(`${box.url}/incidents`);
      await p
        .getByRole("listbox", { name: /Incidents/ })
        .getByRole("option")
        .first()
        .waitFor();
      found.queue = await violations(p);
      await p.goto(`${box.url}/incidents/${incident.id}`);
      await snapshotsLoaded(p);
      found.incident = await violations(p);
      await p.goto(`${box.url}/kpis`);
      await p
        .getByRole("heading", { name: /KPI|Key figures|Metrics/i })
        .first()
        .waitFor();
      found.kpis = await violations(p);
      await p.goto(`${box.url}/account`);
      await p.getByRole("heading").first().waitFor();
      found.account = await violations(p);
      const bad = Object.entries(found).filter(([, v]) => v.length > 0);
      assert.deepEqual(
        bad.map(([k]) => k),
        [],
        bad.map(([k, v]) => `${k}:\n${describeViolations(v)}`).join("\n\n"),
      );
    } finally {
      await ctx.close();
    }
  });

  void it("the installer pages (cameras, a camera's keys, zones, rules, YAML and detection preview) have no violations", async () => {
    await box.raiseIntrusion();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await p.goto(`${box.url}/login`);
      await signIn(p, box.users.admin);
      await p.goto(`${box.url}/cameras`);
      await p.getByRole("table", { name: "Cameras" }).getByRole("link").first().waitFor();
      const found: Record<string, Violation[]> = { cameras: await violations(p) };
      await p.goto(`${box.url}/cameras/gate`);
      await p.locator("section[aria-labelledby=zones-title] .picture img").waitFor();
      await p.getByLabel("YAML for the config file").waitFor();
      await p.getByRole("button", { name: "Detect on the latest frame" }).click();
      await p.getByRole("status", { name: "Detections shown" }).waitFor({ timeout: 60_000 });
      found.camera = await violations(p);
      // A runtime camera (push-only: no stream needed) has the edit form and a new key's notice too.
      const added = await box.api("/v1/cameras", {
        method: "POST",
        token: await box.token(box.users.admin),
        body: JSON.stringify({ id: "kiosk" }),
      });
      assert.equal(added.status, 201);
      await p.goto(`${box.url}/cameras/kiosk`);
      await p.getByRole("button", { name: "Create API key" }).click();
      await p.getByRole("textbox", { name: "New API key" }).waitFor();
      found.runtimeCamera = await violations(p);
      const bad = Object.entries(found).filter(([, v]) => v.length > 0);
      assert.deepEqual(
        bad.map(([k]) => k),
        [],
        bad.map(([k, v]) => `${k}:\n${describeViolations(v)}`).join("\n\n"),
      );
    } finally {
      await ctx.close();
    }
  });
});
