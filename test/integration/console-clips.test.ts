// Clips end to end in the daemon as shipped (`vigil run`, child process): a real RTSP camera
// (GStreamer, people walking) records its ring, the real detector and a restricted-zone rule raise
// an incident, the daemon cuts its first clip while it is still open (max_clip_s), records it on
// the incident, serves it with Range, and the console plays it in a native <video> (Chromium).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { Incident } from "../../src/contract/incident.js";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { CONSOLE_CAMERAS, type ConsoleBox, GATE_ZONE, startConsoleBox } from "../helpers/console-box.js";
import { pedestrianFrames } from "../helpers/ingest-rig.js";
import { requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

void describe("console: an incident's clip (real daemon, camera, detector; Chromium)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  let rtsp: RtspServerHandle;
  let frames: Awaited<ReturnType<typeof pedestrianFrames>>;
  before(async () => {
    requireFixtures();
    frames = await pedestrianFrames(30, { width: 640, height: 480 }, 10);
    rtsp = await startRtspServer({ frames: frames.pattern, fps: 10 });
    box = await startConsoleBox({
      cameras: CONSOLE_CAMERAS.map((id) =>
        id === "yard"
          ? { id, url: rtsp.url, detect: { fps: 5 }, zones: [GATE_ZONE] }
          : { id, url: "rtsp://127.0.0.1:1/none", enabled: false },
      ),
      rules: {
        group_window_s: 0,
        zones: [{ id: "yard-intrusion", kind: "restricted", camera: "yard", zone: GATE_ZONE.id, labels: ["person"] }],
      },
      clips: { enabled: true, pre_roll_s: 2, post_roll_s: 2, max_clip_s: 10, segment_s: 1, min_free_bytes: 0 },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
    await rtsp?.stop();
    await frames?.cleanup();
  });

  void it("records the clip on the incident, serves it with Range, and the incident page plays it", async () => {
    const token = await box.token(box.users.viewer);
    let incident: Incident | undefined;
    const deadline = Date.now() + 120_000;
    while (!incident?.clips?.length && Date.now() < deadline) {
      const list = await box.api<{ incidents: Incident[] }>("/v1/incidents?camera=yard&limit=20", { token });
      incident = list.body.incidents.find((i) => (i.clips?.length ?? 0) > 0) ?? list.body.incidents[0];
      if (incident) incident = (await box.api<Incident>(`/v1/incidents/${incident.id}`, { token })).body;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const clip = incident?.clips?.[0];
    assert.ok(incident && clip, `an incident with a clip: ${JSON.stringify(incident?.clips)}`);
    assert.ok(clip.duration_s >= 2, `${clip.duration_s} s`);
    const part = await fetch(`${box.url}/v1/incidents/${incident.id}/clips/0`, {
      headers: { authorization: `Bearer ${token}`, range: "bytes=0-1023" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 0-1023/${clip.bytes}`);
    assert.equal((await part.arrayBuffer()).byteLength, 1024);
    const anonymous = await fetch(`${box.url}/v1/incidents/${incident.id}/clips/0`);
    assert.equal(anonymous.status, 401, "viewer and up only");

    const { page, context, problems } = await openConsole(browser, `${box.url}/incidents/${incident.id}`);
    try {
      await signIn(page, box.users.viewer);
      const video = page.getByRole("region", { name: "Clips" }).locator("video").first();
      await video.waitFor();
      assert.match((await video.getAttribute("aria-label")) ?? "", /^Clip 1 of \d+, .* s: /);
      assert.equal(await video.getAttribute("controls"), "");
      // Chromium read the MP4's header (faststart) and knows its length.
      const duration = await video.evaluate(
        (v: {
          readyState: number;
          duration: number;
          error: { code: number } | null;
          addEventListener(e: string, f: () => void): void;
        }) =>
          new Promise<number>((resolve) => {
            if (v.readyState >= 1) resolve(v.duration);
            v.addEventListener("loadedmetadata", () => resolve(v.duration));
            v.addEventListener("error", () => resolve(-(v.error?.code ?? 1)));
          }),
      );
      assert.ok(
        duration > 1 && Math.abs(duration - clip.duration_s) < 1,
        `the browser reads the clip: duration ${duration}, clip ${clip.duration_s}`,
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
