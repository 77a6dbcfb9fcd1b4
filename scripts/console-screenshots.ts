// The screenshots of docs/console.md, taken in headless Chromium against a real daemon with real
// incidents: `npm run build && node dist/scripts/console-screenshots.js`.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Incident } from "../src/contract/incident.js";
import { launchChromium, openConsole, signIn, snapshotsLoaded } from "../test/helpers/browser.js";
import { startConsoleBox } from "../test/helpers/console-box.js";
import { ROOT } from "../test/helpers/repo-root.js";
import { fieldScreenshots } from "./console-screenshots-field.js";
import { setupShots } from "./console-setup-shots.js";

const OUT = join(ROOT, "docs", "console");
await mkdir(OUT, { recursive: true });
const box = await startConsoleBox();
const browser = await launchChromium();
try {
  const intrusion = await box.raiseIntrusion();
  const made: Incident[] = [];
  for (const camera of ["gate", "yard", "dock", "gate", "yard"] as const) made.push(await box.raiseTamper(camera));
  const op = await box.token(box.users.operator);
  const decide = (i: Incident | undefined, body: Record<string, unknown>) =>
    box.api<Incident>(`/v1/incidents/${i?.id ?? ""}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify(body),
    });
  await decide(made[0], { action: "dismiss", dismiss_reason: "camera_fault", note: "cleaner knocked the housing" });
  const esc = await decide(made[1], { action: "escalate", note: "lens covered at night" });
  await decide(made[1], { action: "request_dispatch", version: esc.body.version });
  await decide(made[2], { action: "monitor" });

  const { page, context } = await openConsole(browser, `${box.url}/login`, { width: 1024, height: 640 });
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  await page.getByLabel("Username").waitFor();
  await shot("login");
  await signIn(page, box.users.supervisor);
  await page
    .getByRole("listbox", { name: /Incidents/ })
    .getByRole("option")
    .first()
    .waitFor();
  await page.getByRole("listbox", { name: /Incidents/ }).focus();
  await shot("queue");
  await page.goto(`${box.url}/incidents/${intrusion.id}`);
  await snapshotsLoaded(page);
  await shot("incident", true);
  await page.goto(`${box.url}/incidents/${made[1]?.id ?? ""}`);
  await page.getByRole("button", { name: "Approve dispatch…" }).waitFor();
  await page.getByRole("button", { name: "Approve dispatch…" }).click();
  await shot("approve");
  await page.keyboard.press("Escape");
  await page.getByRole("link", { name: "KPIs" }).click();
  await page.locator(".uplot").nth(1).waitFor();
  await shot("kpis", true);
  await page.getByRole("link", { name: "My account" }).click();
  await page.getByRole("table", { name: "My sessions" }).locator("tbody tr").first().waitFor();
  await shot("account");
  await context.close();
  await fieldScreenshots(browser, OUT);
  await setupShots(browser, box, OUT);
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await box.cleanup();
}
