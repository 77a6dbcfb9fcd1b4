// The field techs' and administrators' screenshots of docs/console.md (health, live view, users,
// watchlist with its face preview, audit log), against a real daemon with a real RTSP camera and
// faces on. Called by console-screenshots.ts.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { openConsole, signIn } from "../test/helpers/browser.js";
import { GATE_ZONE, startConsoleBox } from "../test/helpers/console-box.js";
import { PHOTOS } from "../test/helpers/face-models.js";
import { fixturePath, startRtspServer } from "../test/helpers/rtsp-server.js";

const run = promisify(execFile);

export async function fieldScreenshots(browser: Browser, out: string): Promise<void> {
  const rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  const box = await startConsoleBox({
    faces: { enabled: true },
    cameras: [
      { id: "gate", url: "rtsp://127.0.0.1:1/none", enabled: true, zones: [GATE_ZONE] },
      { id: "yard", url: rtsp.url, enabled: true, detect: { fps: 2 } },
      { id: "dock", url: "rtsp://127.0.0.1:1/none", enabled: false },
    ],
  });
  try {
    const { page, context } = await openConsole(browser, `${box.url}/health`, { width: 1024, height: 640 });
    const shot = (name: string, fullPage = false) => page.screenshot({ path: join(out, `${name}.png`), fullPage });
    await signIn(page, box.users.admin);
    await page.getByRole("img", { name: "Latest picture of camera yard" }).waitFor({ timeout: 30_000 });
    await page
      .getByRole("article", { name: "gate" })
      .getByLabel("Last error of camera gate")
      .waitFor({ timeout: 30_000 });
    await shot("health", true);
    await page.goto(`${box.url}/live?cameras=yard`);
    await page.getByLabel("Live view of camera yard").getByText("Live", { exact: true }).waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 5000));
    await shot("live");
    await page.goto(`${box.url}/users`);
    await page.getByRole("rowheader", { name: box.users.viewer.username }).waitFor();
    await shot("users", true);
    const her = join(box.box.dir, "her.jpg");
    await run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-i",
      join(PHOTOS, "sample1.jpg"),
      "-vf",
      "crop=700:900:200:100,scale=350:-2",
      her,
    ]);
    await page.goto(`${box.url}/watchlist`);
    await page.getByLabel("Name").fill("Visitor A");
    await page.getByLabel("Photos (JPEG, one face each)").setInputFiles(her);
    await page.getByText(/^One face found/).waitFor({ timeout: 30_000 });
    await shot("watchlist", true);
    await page.goto(`${box.url}/audit`);
    await page.getByRole("button", { name: "Verify chain" }).click();
    await page.getByRole("status", { name: "Chain verification" }).waitFor({ timeout: 30_000 });
    await shot("audit");
    await context.close();
  } finally {
    await box.cleanup();
    await rtsp.stop();
  }
}
