// The installer pages' screenshots for docs/console.md (called by console-screenshots.ts): the
// camera list, the zone editor over a camera's picture, and the detection preview.
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { openConsole, signIn } from "../test/helpers/browser.js";
import type { ConsoleBox } from "../test/helpers/console-box.js";

export async function setupShots(browser: Browser, box: ConsoleBox, out: string): Promise<void> {
  const { page, context } = await openConsole(browser, `${box.url}/cameras`, { width: 1024, height: 640 });
  try {
    await signIn(page, box.users.admin);
    await page.getByRole("table", { name: "Cameras" }).getByRole("link").first().waitFor();
    await page.screenshot({ path: join(out, "cameras.png") });
    await page.goto(`${box.url}/cameras/gate`);
    const zones = page.locator("section[aria-labelledby=zones-title]");
    await zones.locator(".picture img").waitFor();
    await page.getByRole("button", { name: /^Point 2 of zone/ }).focus();
    await zones.screenshot({ path: join(out, "zones.jpg"), type: "jpeg", quality: 60 });
    await page.getByRole("button", { name: "Detect on the latest frame" }).click();
    const preview = page.locator("section[aria-labelledby=detect-title]");
    await page.getByRole("status", { name: "Detections shown" }).waitFor({ timeout: 60_000 });
    await preview.screenshot({ path: join(out, "detect.jpg"), type: "jpeg", quality: 60 });
  } finally {
    await context.close();
  }
}
