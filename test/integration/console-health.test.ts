// The field tech's pages in Chromium against a real daemon with a real RTSP camera: the health
// dashboard follows the camera offline (in plain words) and back, the live view plays moving
// pictures through jsmpeg with a one-time ticket, says when the viewer limit is reached, and frees
// the relay when a page closes; the admin's support bundle downloads without a secret in it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, GATE_ZONE, startConsoleBox } from "../helpers/console-box.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const DOCK_PASSWORD = "Dock-Camera-Pass-91c2";
const sequence = (): string => fixturePath("sequences", "faces-cycle", "%05d.jpg");

/** What the yard tile says about its state, and its last error if it shows one. */
async function yardTile(page: Page): Promise<{ state: string; error: string }> {
  const tile = page.getByRole("article", { name: "yard" });
  const state = (await tile.getByLabel("State of camera yard").textContent()) ?? "";
  const errors = tile.getByLabel("Last error of camera yard");
  return { state, error: (await errors.count()) > 0 ? ((await errors.textContent()) ?? "") : "" };
}

async function waitForTile(
  page: Page,
  what: string,
  pred: (t: { state: string; error: string }) => boolean,
  timeoutMs: number,
): Promise<{ state: string; error: string }> {
  const until = Date.now() + timeoutMs;
  let last = { state: "", error: "" };
  while (Date.now() < until) {
    last = await yardTile(page).catch(() => last);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the yard tile never showed ${what}; last: ${JSON.stringify(last)}`);
}

/** The canvas as a PNG data URL, read by a function (the CSP forbids the eval a string would need). */
const capture = (page: Page): Promise<string> =>
  page
    .getByRole("img", { name: "Live picture of camera yard" })
    .evaluate((c: { toDataURL(type: string): string }) => c.toDataURL("image/png"));

void describe("console: health, live view, support bundle (Chromium, real daemon, real RTSP camera)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  let rtsp: RtspServerHandle;
  before(async () => {
    requireFixtures();
    rtsp = await startRtspServer({ frames: sequence(), fps: 10 });
    box = await startConsoleBox(
      {
        cameras: [
          { id: "gate", url: "rtsp://127.0.0.1:1/none", enabled: false, zones: [GATE_ZONE] },
          { id: "yard", url: rtsp.url, enabled: true, detect: { fps: 2 } },
          // A camera password in the secrets directory: the support bundle must not carry it.
          { id: "dock", url: "rtsp://127.0.0.1:1/none", credentials_file: "dock.cred", enabled: false },
        ],
        live_view: { max_viewers: 1, idle_stop_s: 1 },
      },
      async (dataDir) =>
        writeFile(join(dataDir, "..", "secrets", "dock.cred"), `admin:${DOCK_PASSWORD}`, { mode: 0o600 }),
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
    await rtsp?.stop();
  });

  void it("the health page shows the camera online, then offline in plain words when its server dies, then back", async () => {
    const { page, context, problems } = await openConsole(browser, `${box.url}/health`);
    try {
      await signIn(page, box.users.viewer);
      await page.getByRole("heading", { name: "Health", level: 1 }).waitFor();
      assert.equal(
        await page.getByRole("button", { name: "Download support bundle" }).count(),
        0,
        "the support bundle is for admins",
      );
      await waitForTile(page, "Online", (t) => t.state === "Online", 30_000);
      await page.getByRole("img", { name: "Latest picture of camera yard" }).waitFor({ timeout: 20_000 });
      for (const panel of ["Detector and providers", "Uplink and outbox", "System", "Certificates"])
        await page.getByRole("heading", { name: panel }).waitFor();
      assert.match((await page.getByRole("status", { name: "Box status" }).textContent()) ?? "", /Box: /);

      const port = rtsp.port;
      await rtsp.stop();
      const down = await waitForTile(
        page,
        "offline with an error",
        (t) => t.state !== "Online" && t.error !== "",
        30_000,
      );
      assert.match(down.state, /Offline|Stalled/);
      assert.match(
        down.error,
        /^(Unreachable|No answer|The stream ended)/,
        "the last error in plain words, not an ffmpeg line",
      );
      assert.match(
        (await page.getByRole("status", { name: "Box status" }).textContent()) ?? "",
        /Box: Degraded.*camera yard/s,
      );

      rtsp = await startRtspServer({ frames: sequence(), fps: 10, port });
      await waitForTile(page, "Online again", (t) => t.state === "Online" && t.error === "", 90_000);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("the live view plays moving pictures with a ticket, says when the viewer limit is reached, and a closed page frees the relay", async () => {
    const first = await openConsole(browser, `${box.url}/live?cameras=yard`);
    const sockets: string[] = [];
    first.page.on("websocket", (ws) => sockets.push(ws.url()));
    await signIn(first.page, box.users.viewer);
    await first.page
      .getByLabel("Live view of camera yard")
      .getByText("Live", { exact: true })
      .waitFor({ timeout: 30_000 });
    // The picture moves (the sequence is people walking): two captures a second apart differ.
    let moving = false;
    let a = "";
    for (let i = 0; i < 20 && !moving; i++) {
      a = await capture(first.page);
      await new Promise((r) => setTimeout(r, 1000));
      moving = a !== (await capture(first.page));
    }
    assert.ok(moving, "the live picture moves");
    assert.ok(a.length > 20_000, "the canvas holds a picture, not a blank");
    assert.ok(
      sockets.length >= 1 && sockets.every((u) => /\/v1\/cameras\/yard\/live$/.test(u)),
      `no token or ticket in the WebSocket URL: ${sockets.join(" ")}`,
    );

    // live_view.max_viewers is 1: a second viewer is told, in words.
    const second = await openConsole(browser, `${box.url}/live?cameras=yard`);
    try {
      await signIn(second.page, box.users.admin);
      await second.page
        .getByLabel("Live view of camera yard")
        .getByText(/viewer limit is reached/)
        .waitFor({ timeout: 20_000 });
      // Closing the first page frees its slot; the second viewer's retry then plays.
      await first.context.close();
      await second.page
        .getByLabel("Live view of camera yard")
        .getByText("Live", { exact: true })
        .waitFor({ timeout: 30_000 });
      assert.deepEqual([...first.problems, ...second.problems], []);
    } finally {
      await second.context.close();
    }
  });

  void it("an admin downloads the support bundle of vigil diagnose, with no secret in it; a viewer gets 403", async () => {
    const viewer = await box.token(box.users.viewer);
    const refused = await box.api<{ error: { code: string } }>("/v1/diagnose", { method: "POST", token: viewer });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "VIGIL_E_FORBIDDEN");

    const { page, context, problems } = await openConsole(browser, `${box.url}/health`);
    try {
      await signIn(page, box.users.admin);
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 60_000 }),
        page.getByRole("button", { name: "Download support bundle" }).click(),
      ]);
      await page
        .getByRole("status")
        .getByText(/Support bundle downloaded/)
        .waitFor();
      const file = join(box.box.dir, "bundle.tar.gz");
      await download.saveAs(file);
      const out = join(box.box.dir, "bundle");
      await mkdir(out);
      await run("tar", ["-xzf", file, "-C", out]);
      const folder = (await readdir(out))[0] ?? "";
      assert.ok(folder.startsWith("vigil-diagnose-console-gw-ui"), String(folder));
      const names = await readdir(join(out, folder));
      for (const n of [
        "README.txt",
        "config.json",
        "health.json",
        "versions.json",
        "ffmpeg.txt",
        "certificates.json",
        "models.json",
      ])
        assert.ok(names.includes(n), n);
      const health = JSON.parse(await readFile(join(out, folder, "health.json"), "utf8")) as {
        cameras: Record<string, unknown>;
      };
      assert.ok("yard" in health.cameras, "the health document comes from the daemon itself");
      const everything = (await Promise.all(names.map((n) => readFile(join(out, folder, n), "utf8")))).join("\n");
      assert.ok(!everything.includes(DOCK_PASSWORD), "a camera's password is not in it");
      const secretsDir = join(box.box.dir, "secrets");
      for (const f of await readdir(secretsDir)) {
        const value = (await readFile(join(secretsDir, f), "utf8")).trim();
        if (value.length >= 8) assert.ok(!everything.includes(value), `secret ${f} leaked into the bundle`);
      }
      const audit = await box.api<{ entries: Array<{ action: string; actor: string }> }>(
        "/v1/audit?action=support_bundle.downloaded",
        { token: await box.token(box.users.admin) },
      );
      assert.deepEqual(
        audit.body.entries.map((e) => e.actor),
        [box.users.admin.username],
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
