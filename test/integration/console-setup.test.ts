// The installer's console (Chromium, real daemon, real RTSP camera, real detector): add a camera
// through the UI with its probe shown, create its API key (shown once), draw a zone on its picture,
// save a rule, and a person pushed into the zone with that key raises an incident; the detection
// preview on darknet's person.jpg; a config-file camera read-only with YAML that passes
// `vigil config check`. Zone and rule edits are audited and applied without restarting another camera.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { parse, stringify } from "yaml";
import type { Incident } from "../../src/contract/incident.js";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";
import { type LogLine, runCli } from "../helpers/daemon.js";
import { fixturePath, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

type ErrorBody = { error: { code: string } };

void describe("console: cameras, zones, rules and detection preview for installers (Chromium, real daemon)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  let rtsp: RtspServerHandle;
  let admin: string;
  let page: Page;
  let problems: string[];
  let key = "";
  const lobbyStates = (): number =>
    box.daemon.logs.filter((l: LogLine) => l.msg === "camera state" && l.camera === "lobby").length;

  before(async () => {
    box = await startConsoleBox();
    rtsp = await startRtspServer({ frames: fixturePath("sequences", "demo", "%05d.jpg"), fps: 5 });
    browser = await launchChromium();
    admin = await box.token(box.users.admin);
    // Another runtime camera, streaming: it must not restart when porch's zones and rules change.
    const lobby = await box.api("/v1/cameras", {
      method: "POST",
      token: admin,
      body: JSON.stringify({ id: "lobby", url: rtsp.url }),
    });
    assert.equal(lobby.status, 201, JSON.stringify(lobby.body));
    await box.daemon.waitForLog(
      (l) => l.msg === "camera state" && l.camera === "lobby" && l.state === "online",
      30_000,
    );
    ({ page, problems } = await openConsole(browser, `${box.url}/cameras`));
    await signIn(page, box.users.admin);
  });
  after(async () => {
    await browser?.close();
    await rtsp?.stop();
    await box?.cleanup();
  });

  void it("adds a camera through the UI: the probe is shown before saving", async () => {
    await page.getByRole("heading", { name: "Cameras" }).waitFor();
    await page.getByLabel("Camera id").fill("porch");
    await page.getByLabel("Stream URL").fill(rtsp.url);
    assert.equal(
      await page.getByRole("button", { name: "Save camera" }).isDisabled(),
      true,
      "nothing is saved before a probe",
    );
    await page.getByRole("button", { name: "Probe stream" }).click();
    const probe = page.getByRole("status", { name: "Probe result" });
    await probe.waitFor();
    assert.match(await probe.innerText(), /Stream found: h264 \d+x\d+/);
    await page.getByRole("button", { name: "Save camera" }).click();
    await page.getByRole("link", { name: "porch", exact: true }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "porch" });
    assert.match(await row.innerText(), /added here/);
    assert.match(await row.innerText(), /h264/);
  });

  void it("adds a push-only camera through the UI: no stream URL, no probe", async () => {
    await page.getByLabel("Camera id").fill("kiosk");
    await page.getByLabel("Stream URL").fill("");
    await page.getByRole("button", { name: "Save push-only camera" }).click();
    await page.getByRole("link", { name: "kiosk" }).waitFor();
    assert.match(await page.getByRole("row").filter({ hasText: "kiosk" }).innerText(), /push only \(no stream\)/);
    const kiosk = await box.api<{ url: string | null; state: string }>("/v1/cameras/kiosk", { token: admin });
    assert.equal(kiosk.body.url, null);
  });

  void it("creates a push key shown once, with a copy button, and lists it without the secret after a reload", async () => {
    await page.getByRole("link", { name: "porch" }).click();
    await page.getByRole("heading", { name: "Camera porch" }).waitFor();
    // Edit: a changed URL must be probed before it can be saved; the name alone saves at once.
    await page.getByLabel("Camera stream URL").fill(`${rtsp.url}?again`);
    assert.equal(await page.getByRole("button", { name: "Save camera settings" }).isDisabled(), true);
    await page.getByLabel("Camera stream URL").fill(rtsp.url);
    await page.getByLabel("Camera name").fill("Porch");
    await page.getByRole("button", { name: "Save camera settings" }).click();
    await page.getByText("Camera saved").waitFor();
    await page.getByRole("heading", { name: "Camera Porch (porch)" }).waitFor();
    await page.getByRole("button", { name: "Create API key" }).click();
    const shown = page.getByLabel("New API key");
    await shown.waitFor();
    key = await shown.inputValue();
    assert.match(key, /^vk_[a-z2-7]{16}_/);
    await page.getByRole("button", { name: "Copy key" }).waitFor();
    await page.getByText("any site-CA certificate whose CN is porch").waitFor();
    const keyId = key.split("_")[1] ?? "";
    await page.reload();
    await page.getByRole("heading", { name: "Camera Porch (porch)" }).waitFor();
    await page.getByRole("table", { name: "API keys" }).getByText(keyId, { exact: true }).waitFor();
    assert.equal(await page.getByLabel("New API key").count(), 0, "the key is not shown again");
    assert.equal((await page.content()).includes(key), false);
  });

  void it("draws a zone on the picture (mouse and keyboard), saves it and a rule, audited and applied live; a pushed person raises an incident", async () => {
    const lobbyBefore = lobbyStates();
    await page.getByLabel("New zone id").fill("door");
    await page.getByRole("button", { name: "Add zone" }).click();
    const canvas = page.getByRole("group", { name: "Zone door: click to add a point" });
    const area = await canvas.boundingBox();
    assert.ok(area);
    for (const [x, y] of [
      [0.02, 0.02],
      [0.98, 0.02],
      [0.98, 0.98],
      [0.02, 0.98],
    ] as const)
      await canvas.click({ position: { x: x * area.width, y: y * area.height } });
    const handles = page.getByRole("button", { name: /^Point \d+ of zone door/ });
    assert.equal(await handles.count(), 4);
    // Keyboard: the first point moves right by 0.01 with the arrow key.
    const x0 = Number(await page.getByLabel("Point 1 x").inputValue());
    await handles.first().focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(Number(await page.getByLabel("Point 1 x").inputValue()), Math.round((x0 + 0.01) * 1000) / 1000);
    await page.getByRole("button", { name: "Save zones" }).click();
    await page.getByText("Zones saved and applied.").waitFor();

    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule id").fill("porch-intrusion");
    await page.getByLabel("Rule labels (comma separated)").fill("person");
    await page.getByLabel("Rule labels (comma separated)").blur();
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByText("Rules saved and applied.").waitFor();

    const stored = await box.api<{ origin: string; rules: Array<{ id: string; zone: string; labels?: string[] }> }>(
      "/v1/cameras/porch/rules",
      { token: admin },
    );
    assert.deepEqual(
      stored.body.rules.map((r) => [r.id, r.zone, r.labels]),
      [["porch-intrusion", "door", ["person"]]],
    );
    const camera = await box.api<{ zones: Array<{ id: string; polygon: number[][] }> }>("/v1/cameras/porch", {
      token: admin,
    });
    assert.equal(camera.body.zones[0]?.polygon.length, 4);

    const audit = await box.api<{
      entries: Array<{ action: string; target: string; details: Record<string, unknown> }>;
    }>("/v1/audit?limit=200", { token: admin });
    const mine = audit.body.entries.filter((e) => e.target === "camera:porch").map((e) => e.action);
    assert.ok(
      mine.includes("camera.add") && mine.includes("camera.update") && mine.includes("camera.rules"),
      mine.join(","),
    );
    assert.equal(lobbyStates(), lobbyBefore, "the other camera was not restarted");

    const jpeg = await readFile(fixturePath("photos", "person.jpg"));
    const isIncident = (l: LogLine): boolean =>
      l.msg === "incident stored" && l.type === "incident.created" && l.rule === "porch-intrusion";
    for (let i = 0; i < 40 && !box.daemon.logs.some(isIncident); i++) {
      const pushed = await box.api("/v1/ingest/porch/frames", {
        method: "POST",
        headers: { authorization: `ApiKey ${key}`, "content-type": "image/jpeg" },
        body: jpeg,
      });
      assert.ok(pushed.status < 300, `push: ${pushed.status}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const logged = await box.daemon.waitForLog(isIncident, 10_000);
    const incident = await box.api<Incident>(`/v1/incidents/${String(logged.incident)}`, { token: admin });
    assert.equal(incident.body.camera_id, "porch");
    assert.equal(incident.body.zone, "door");
    assert.ok(incident.body.objects.some((o) => o.label === "person"));
  });

  void it("revokes the key in the UI (pushes are then refused), and a delete warns that keys are revoked", async () => {
    const keyId = key.split("_")[1] ?? "";
    await page.getByRole("button", { name: `Revoke key ${keyId}` }).click();
    await page.getByText(`Key ${keyId} revoked.`).waitFor();
    // The status is set before the list reloads: wait for the row itself to say so.
    const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: keyId });
    await row.filter({ hasText: "revoked" }).waitFor();
    assert.match(await row.innerText(), /revoked/);
    const jpeg = await readFile(fixturePath("photos", "person.jpg"));
    const pushed = await box.api("/v1/ingest/porch/frames", {
      method: "POST",
      headers: { authorization: `ApiKey ${key}`, "content-type": "image/jpeg" },
      body: jpeg,
    });
    assert.equal(pushed.status, 401);
    await page.getByRole("link", { name: "All cameras" }).click();
    await page.getByRole("button", { name: "Disable porch" }).click();
    await page.getByText("porch disabled.").waitFor();
    await page.getByRole("button", { name: "Enable porch" }).waitFor();
    assert.match(await page.getByRole("row").filter({ hasText: "Porch (porch)" }).innerText(), /disabled/);
    await page.getByRole("button", { name: "Enable porch" }).click();
    await page.getByText("porch enabled.").waitFor();
    await page.getByRole("button", { name: "Disable porch" }).waitFor();
    await page.getByRole("button", { name: "Delete porch" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete camera porch?" });
    assert.match(await dialog.innerText(), /API keys are revoked/);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("link", { name: "Porch (porch)" }).click();
    await page.getByRole("heading", { name: "Camera Porch (porch)" }).waitFor();
  });

  void it("previews detections on an uploaded person.jpg: boxes drawn, zones and rules listed, the slider filters in the browser", async () => {
    await page.getByLabel("Upload a JPEG").setInputFiles(fixturePath("photos", "person.jpg"));
    const summary = page.getByRole("status", { name: "Detections shown" });
    await summary.waitFor({ timeout: 60_000 });
    const boxes = page.locator("section[aria-labelledby=detect-title] rect.box");
    const all = await boxes.count();
    assert.ok(all >= 1, "at least the person is boxed");
    assert.match(
      await page.getByRole("list", { name: "Detections" }).innerText(),
      /person 0\.\d\d: zone door \(would trigger porch-intrusion\)/,
    );
    await page.getByLabel(/Score threshold/).fill("0.99");
    await page.getByRole("img", { name: /^0 detections drawn$/ }).waitFor();
    assert.equal(await boxes.count(), 0);
    await page.getByLabel(/Score threshold/).fill("0");
    assert.equal(await boxes.count(), all);
    assert.deepEqual(problems, []);
  });

  void it("shows a config-file camera read-only, with YAML that `vigil config check` accepts", async () => {
    await page.goto(`${box.url}/cameras/gate`);
    await page.getByRole("heading", { name: "Camera gate" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Save zones" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Save rules" }).count(), 0);
    // An edit in the editor shows up in the YAML to paste.
    await page.getByLabel("Point 2 y").fill("0.2");
    await page.getByLabel("Point 2 y").blur();
    const yamlBox = page.getByLabel("YAML for the config file");
    let text = await yamlBox.inputValue();
    for (let i = 0; i < 50 && !/\[ 0\.95, 0\.2 \]/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await yamlBox.inputValue();
    }
    assert.match(text, /\[ 0\.95, 0\.2 \]/, text);
    const snippet = parse(text) as {
      cameras: Array<Record<string, unknown>>;
      rules: { zones: Array<Record<string, unknown>> };
    };
    const config = parse(await readFile(box.box.configPath, "utf8")) as {
      cameras: Array<Record<string, unknown>>;
      rules: { zones: Array<Record<string, unknown>> };
    };
    const merged = {
      ...config,
      cameras: config.cameras.map((c) => (c.id === "gate" ? snippet.cameras[0] : c)),
      rules: {
        ...config.rules,
        zones: [...config.rules.zones.filter((r) => r.camera !== "gate"), ...snippet.rules.zones],
      },
    };
    const path = join(box.box.dir, "pasted.yaml");
    await writeFile(path, stringify(merged));
    const ok = await runCli(["config", "check", "--config", path]);
    assert.equal(ok.code, 0, `${ok.stdout}${ok.stderr}`);
    // The check is real: a rule for a zone the pasted camera lacks fails it.
    await writeFile(
      path,
      stringify({
        ...merged,
        rules: {
          ...merged.rules,
          zones: [...merged.rules.zones, { id: "ghost", kind: "restricted", camera: "gate", zone: "nowhere" }],
        },
      }),
    );
    const bad = await runCli(["config", "check", "--config", path]);
    assert.notEqual(bad.code, 0);
  });

  void it("refuses what an attacker with an admin token would try through the probe and the rules routes", async () => {
    const probe = (url: string, token = admin) =>
      box.api<ErrorBody>("/v1/cameras/probe", { method: "POST", token, body: JSON.stringify({ url }) });
    for (const url of [
      "file:///etc/passwd",
      "concat:/etc/passwd|/etc/shadow",
      "http://127.0.0.1:1/",
      "subfile,,start,0,end,0,,:/etc/passwd",
      "rtsp://x\n-i /etc/passwd",
    ]) {
      const r = await probe(url);
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error.code, "VIGIL_E_VALIDATION", url);
    }
    const creds = await probe("rtsp://user:pw@127.0.0.1:1/cam");
    assert.equal(creds.body.error.code, "VIGIL_E_CAMERA_SOURCE_REFUSED");
    const closed = await probe("rtsp://127.0.0.1:1/cam");
    assert.equal(closed.body.error.code, "VIGIL_E_CAMERA_PROBE_FAILED");
    assert.doesNotMatch(JSON.stringify(closed.body), /ffprobe|Connection refused.*rtsp:\/\//i);
    // A service that is not RTSP (the daemon's own HTTP port): a fixed reason, nothing it said.
    const http = await probe(`rtsp://127.0.0.1:${new URL(box.url).port}/v1/health`);
    assert.equal(http.body.error.code, "VIGIL_E_CAMERA_PROBE_FAILED");
    assert.doesNotMatch(JSON.stringify(http.body), /HTTP\/1|VIGIL_E_NOT_FOUND|content-type/i);
    const viewer = await probe(rtsp.url, await box.token(box.users.viewer));
    assert.equal(viewer.status, 403);

    const put = (id: string, rules: unknown[]) =>
      box.api<ErrorBody>(`/v1/cameras/${id}/rules`, { method: "PUT", token: admin, body: JSON.stringify({ rules }) });
    assert.equal((await put("gate", [])).body.error.code, "VIGIL_E_CAMERA_PROVISIONED");
    assert.equal(
      (await put("porch", [{ id: "x", kind: "restricted", camera: "lobby", zone: "door", enabled: true }])).body.error
        .code,
      "VIGIL_E_VALIDATION",
    );
    assert.equal(
      (await put("porch", [{ id: "x", kind: "restricted", camera: "porch", zone: "nowhere", enabled: true }])).body
        .error.code,
      "VIGIL_E_VALIDATION",
    );
    assert.equal(
      (await put("porch", [{ id: "intrusion", kind: "restricted", camera: "porch", zone: "door", enabled: true }])).body
        .error.code,
      "VIGIL_E_VALIDATION",
      "a config rule's id",
    );
    assert.equal(
      (await put("porch", [{ id: "tamper", kind: "restricted", camera: "porch", zone: "door", enabled: true }])).body
        .error.code,
      "VIGIL_E_VALIDATION",
      "a built-in rule name",
    );
    // A zone a rule watches cannot be removed under it.
    const strand = await box.api<ErrorBody>("/v1/cameras/porch", {
      method: "PATCH",
      token: admin,
      body: JSON.stringify({ zones: [] }),
    });
    assert.equal(strand.body.error.code, "VIGIL_E_VALIDATION");
    // Two zones with one id would break the rule engine's zone lookup: refused, nothing stored.
    const twice = await box.api<ErrorBody>("/v1/cameras/porch", {
      method: "PATCH",
      token: admin,
      body: JSON.stringify({
        zones: [
          {
            id: "door",
            polygon: [
              [0, 0],
              [1, 0],
              [1, 1],
            ],
          },
          {
            id: "door",
            polygon: [
              [0, 0],
              [1, 0],
              [0, 1],
            ],
          },
        ],
      }),
    });
    assert.equal(twice.body.error.code, "VIGIL_E_VALIDATION");
    const after = await box.api<{ zones: unknown[] }>("/v1/cameras/porch", { token: admin });
    assert.equal(after.body.zones.length, 1);
  });
});
