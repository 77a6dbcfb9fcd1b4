// Incident clips for real: RTSP cameras through ffmpeg recording their ring (one more output of the
// camera's own ffmpeg), the recorder assembling MP4s by stream copy, and the faults: a camera that
// drops mid-clip (a recorded gap), a corrupt segment (left out, a recorded gap), the ring's bounds
// over many incidents, and HTTP Range on the clip route.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { Incident } from "../../src/contract/incident.js";
import { sha256File } from "../../src/incidents/clips/clip-store.js";
import { registerIncidentClipRoute } from "../../src/http/routes/incident-clips.js";
import { registerErrorHandler } from "../../src/http/errors.js";
import { openClipRig } from "../helpers/clip-rig.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import { waitUntil } from "../helpers/ingest-rig.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const sequence = (): string => fixturePath("sequences", "faces-cycle", "%05d.jpg");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ffprobe(path: string): Promise<{ codec: string; duration: number }> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=codec_name:format=duration",
    "-of",
    "json",
    path,
  ]);
  const j = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
  return { codec: j.streams[0]?.codec_name ?? "", duration: Number(j.format.duration) };
}

function raise(rig: Awaited<ReturnType<typeof openClipRig>>, cameraId: string, startedAt: number): Promise<Incident> {
  return rig.incidents.create({
    cameraId,
    rule: "restricted",
    zone: "door",
    objects: [{ label: "person", score: 0.9, box: { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.6 }, track_id: 1 }],
    startedAt,
    lastSeenAt: startedAt,
    summary: "Person in restricted zone",
  });
}

async function clipsOf(
  rig: Awaited<ReturnType<typeof openClipRig>>,
  id: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Incident> {
  let incident: Incident | undefined;
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    await rig.recorder.tick();
    incident = await rig.incidents.get(id);
    if ((incident?.clips?.length ?? 0) >= count) return incident as Incident;
    await sleep(300);
  }
  throw new Error(`incident ${id} has ${incident?.clips?.length ?? 0} clips, wanted ${count}`);
}

void describe("incident clips", () => {
  let rtsp: RtspServerHandle | undefined;
  before(() => requireFixtures());
  after(async () => rtsp?.stop());

  void it("a camera that drops mid-clip gives a playable faststart MP4 with the reconnect recorded as a gap, its hash on the incident, served with HTTP Range", async () => {
    rtsp = await startRtspServer({ frames: sequence(), fps: 10 });
    const port = rtsp.port;
    const rig = await openClipRig({ urls: { yard: rtsp.url } });
    try {
      const sup = () => rig.cameras.manager.supervisor("yard");
      await waitUntil("camera online", () => sup()?.state === "online", 15_000);
      await sleep(4000); // pre-roll in the ring
      const incident = await raise(rig, "yard", Date.now());
      await sleep(2500);
      await rtsp.stop();
      await waitUntil("camera to notice the drop", () => sup()?.state !== "online", 10_000);
      await sleep(1500);
      rtsp = await startRtspServer({ frames: sequence(), fps: 10, port });
      await waitUntil("camera back", () => sup()?.state === "online", 15_000);
      await sleep(3000);
      await rig.incidents.markEnded(incident.id, Date.now());
      const done = await clipsOf(rig, incident.id, 1);
      const clip = done.clips?.[0];
      assert.ok(clip, "a clip on the incident");
      assert.equal(clip.file, `clips/${incident.id}/0.mp4`);
      assert.ok(clip.gaps.length >= 1, `a gap recorded: ${JSON.stringify(clip)}`);
      const gap = clip.gaps[0];
      assert.ok(
        gap && Date.parse(gap.end) - Date.parse(gap.start) >= 1000,
        `the gap spans the outage: ${JSON.stringify(gap)}`,
      );
      assert.ok(Date.parse(gap.start) > Date.parse(incident.started_at) - 2000, "the gap lies inside the window");
      const path = join(rig.dir, clip.file);
      const probe = await ffprobe(path);
      assert.equal(probe.codec, "h264", "stream copy of the camera's H.264");
      assert.ok(probe.duration >= 5, `video on both sides of the gap: ${probe.duration} s`);
      assert.ok(Math.abs(probe.duration - clip.duration_s) < 0.5);
      const bytes = await readFile(path);
      assert.ok(bytes.indexOf("moov") < bytes.indexOf("mdat"), "faststart: the index before the media");
      assert.deepEqual(await sha256File(path), { sha256: clip.sha256, bytes: clip.bytes });
      assert.deepEqual(
        (await readdir(join(rig.dir, "clips", incident.id))).sort(),
        ["0.mp4"],
        "no temporary file left",
      );

      // HTTP Range, as a browser's <video> asks.
      const app = Fastify();
      registerErrorHandler(app, silentLogger());
      registerIncidentClipRoute(app, { incidents: rig.incidents, clips: rig.store });
      const whole = await app.inject({ url: `/v1/incidents/${incident.id}/clips/0` });
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers["accept-ranges"], "bytes");
      assert.equal(whole.headers["content-type"], "video/mp4");
      assert.deepEqual(whole.rawPayload, bytes);
      const part = await app.inject({
        url: `/v1/incidents/${incident.id}/clips/0`,
        headers: { range: "bytes=100-199" },
      });
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers["content-range"], `bytes 100-199/${bytes.length}`);
      assert.deepEqual(part.rawPayload, bytes.subarray(100, 200));
      const tail = await app.inject({ url: `/v1/incidents/${incident.id}/clips/0`, headers: { range: "bytes=-10" } });
      assert.deepEqual(tail.rawPayload, bytes.subarray(bytes.length - 10));
      const past = await app.inject({
        url: `/v1/incidents/${incident.id}/clips/0`,
        headers: { range: `bytes=${bytes.length}-` },
      });
      assert.equal(past.statusCode, 416);
      assert.equal(past.headers["content-range"], `bytes */${bytes.length}`);
      const none = await app.inject({ url: `/v1/incidents/${incident.id}/clips/1` });
      assert.equal(none.statusCode, 404);
      await app.close();
    } finally {
      await rig.close();
    }
  });

  void it("a corrupt segment is left out and recorded as a gap; the rest of the clip is kept", async () => {
    rtsp ??= await startRtspServer({ frames: sequence(), fps: 10 });
    const rig = await openClipRig({ urls: { gate: rtsp.url } });
    try {
      await waitUntil("camera online", () => rig.cameras.manager.supervisor("gate")?.state === "online", 15_000);
      await sleep(3000);
      const incident = await raise(rig, "gate", Date.now());
      await sleep(5000);
      await rig.incidents.markEnded(incident.id, Date.now());
      await sleep(3500);
      // Overwrite a middle segment of the window with noise, as a failing disk or a bad write would.
      const segments = (await rig.ring.segments("gate")).filter(
        (s) => s.startMs >= Date.parse(incident.started_at) - 2000,
      );
      const victim = segments[Math.floor(segments.length / 2)];
      assert.ok(victim && segments.length >= 4, `segments in the window: ${segments.length}`);
      const noise = Buffer.alloc(victim.bytes);
      for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 7919) % 251;
      await writeFile(join(rig.ring.dir("gate"), victim.name), noise);
      const done = await clipsOf(rig, incident.id, 1);
      const clip = done.clips?.[0];
      assert.ok(clip);
      const probe = await ffprobe(join(rig.dir, clip.file));
      assert.equal(probe.codec, "h264");
      assert.ok(probe.duration >= 3, `the readable segments are kept: ${probe.duration} s`);
      const covering = clip.gaps.find(
        (g) => Date.parse(g.start) <= victim.startMs + 1000 && Date.parse(g.end) >= victim.startMs,
      );
      assert.ok(
        covering,
        `the corrupt segment's time is a gap: ${JSON.stringify(clip.gaps)} victim ${new Date(victim.startMs).toISOString()}`,
      );
    } finally {
      await rig.close();
    }
  });

  void it("the ring never grows past its bounds over many incidents, and unclaimed segments go after keep seconds", async () => {
    rtsp ??= await startRtspServer({ frames: sequence(), fps: 10 });
    const maxBytes = 3_000_000;
    const rig = await openClipRig({
      urls: { lane: rtsp.url },
      bounds: { keepMs: 4000, maxBytes },
      settings: { preRollMs: 1000, postRollMs: 1000, maxClipMs: 10_000 },
    });
    try {
      await waitUntil("camera online", () => rig.cameras.manager.supervisor("lane")?.state === "online", 15_000);
      let largest = 0;
      let oldestAge = 0;
      let perSegment = 0;
      const ids: string[] = [];
      for (let i = 0; i < 8; i += 1) {
        const inc = await raise(rig, "lane", Date.now());
        ids.push(inc.id);
        await sleep(1200);
        await rig.incidents.markEnded(inc.id, Date.now());
        await rig.ring.prune();
        const segs = await rig.ring.segments("lane");
        const total = segs.reduce((s, x) => s + x.bytes, 0);
        largest = Math.max(largest, total - (segs[segs.length - 1]?.bytes ?? 0));
        perSegment = Math.max(perSegment, ...segs.map((x) => x.bytes));
        oldestAge = Math.max(oldestAge, Date.now() - (segs[0]?.endMs ?? Date.now()));
        await rig.recorder.tick();
      }
      for (const id of ids) await clipsOf(rig, id, 1);
      await sleep(6000);
      await rig.ring.prune();
      const segs = await rig.ring.segments("lane");
      const closed = segs.slice(0, -1);
      // The newest segment is ffmpeg's, still open; everything else obeys the bounds.
      assert.ok(largest <= maxBytes, `closed segments held ${largest} bytes, bound ${maxBytes}`);
      assert.ok(
        closed.every((s) => Date.now() - s.endMs < 4000 + 1500),
        `no unclaimed segment older than keep: ${closed.map((s) => Date.now() - s.endMs).join(",")}`,
      );
      assert.equal(rig.recorder.waiting, 0, "every incident got its clips, nothing left claimed");
      assert.ok(oldestAge > 0);
      console.log(`# ring: largest ${largest} bytes, segment up to ${perSegment} bytes, oldest ${oldestAge} ms`);
    } finally {
      await rig.close();
    }
  });
});
