// Clip faults with real processes: SIGKILL during an assembly leaves no half-written clip and the
// clip is cut after the restart; a full disk (a real 8 MiB tmpfs) stops the ring before the volume
// fills, says so in the health reasons, and incidents go on without clips.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Incident } from "../../src/contract/incident.js";
import { sha256File } from "../../src/incidents/clips/clip-store.js";
import { openClipRig } from "../helpers/clip-rig.js";
import { waitUntil } from "../helpers/ingest-rig.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sequence = (): string => fixturePath("sequences", "faces-cycle", "%05d.jpg");
const WORKER = resolve(fileURLToPath(import.meta.url), "..", "..", "helpers", "clip-worker.js");

function raise(
  incidents: { create: (i: never) => Promise<Incident> },
  cameraId: string,
  at: number,
): Promise<Incident> {
  return incidents.create({
    cameraId,
    rule: "restricted",
    zone: "door",
    objects: [{ label: "person", score: 0.9, box: { x1: 0.1, y1: 0.1, x2: 0.3, y2: 0.6 }, track_id: 1 }],
    startedAt: at,
    lastSeenAt: at,
    summary: "Person in restricted zone",
  } as never);
}

/** Runs the worker in its own process group; `killWhen` (polled every 2 ms) SIGKILLs the whole group. */
async function worker(
  dir: string,
  camera: string,
  killWhen?: () => Promise<boolean>,
): Promise<{ killed: boolean; out: string }> {
  const child = spawn(process.execPath, [WORKER, dir, camera], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  let killed = false;
  if (killWhen) {
    void (async () => {
      while (child.exitCode === null && !killed) {
        if (await killWhen()) {
          // As systemd does on a crash: the whole cgroup, ffmpeg included.
          process.kill(-(child.pid as number), "SIGKILL");
          killed = true;
        }
        await sleep(2);
      }
    })();
  }
  await exited;
  return { killed, out };
}

void describe("clip faults", () => {
  let rtsp: RtspServerHandle | undefined;
  before(async () => {
    requireFixtures();
    rtsp = await startRtspServer({ frames: sequence(), fps: 10 });
  });
  after(async () => rtsp?.stop());

  void it("SIGKILL during assembly leaves no half-written clip; after the restart the clip is assembled from the segments still in the ring", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-clip-crash-"));
    try {
      const rig = await openClipRig({
        urls: { dock: rtsp?.url ?? "" },
        dir,
        tickMs: 3_600_000,
        bounds: { keepMs: 3_600_000 },
      });
      let incident: Incident;
      try {
        await waitUntil("camera online", () => rig.cameras.manager.supervisor("dock")?.state === "online", 15_000);
        await sleep(3000);
        incident = await raise(rig.incidents, "dock", Date.now());
        await sleep(8000);
        await rig.incidents.markEnded(incident.id, Date.now());
        await sleep(4500); // post-roll and settle; the recorder has not ticked (its tick is an hour)
      } finally {
        await rig.close();
      }
      assert.deepEqual(await readdir(join(dir, "clips", ".pending")), [`${incident.id}.json`]);
      const clipDir = join(dir, "clips", incident.id);
      let tmpSeen = false;
      const first = await worker(dir, "dock", async () => {
        const names = await readdir(clipDir).catch(() => [] as string[]);
        tmpSeen ||= names.some((n) => n.endsWith(".tmp"));
        return tmpSeen;
      });
      assert.ok(first.killed, `killed during assembly: ${first.out}`);
      const left = await readdir(clipDir);
      assert.ok(!left.includes("0.mp4"), `no clip under its final name after the kill: ${left.join(",")}`);
      assert.ok(
        left.some((n) => n.endsWith(".tmp")),
        `the kill hit the temporary file: ${left.join(",")}`,
      );
      const stored = await openClipRig({ urls: {}, dir, tickMs: 3_600_000 });
      assert.equal((await stored.incidents.get(incident.id))?.clips, undefined, "nothing recorded on the incident");
      await stored.close();

      const second = await worker(dir, "dock");
      assert.match(second.out, /STARTED 1\nDONE 0/, second.out);
      assert.deepEqual(await readdir(clipDir), ["0.mp4"], "the temporary file is gone, the clip is whole");
      const reopened = await openClipRig({ urls: {}, dir, tickMs: 3_600_000 });
      const clip = (await reopened.incidents.get(incident.id))?.clips?.[0];
      await reopened.close();
      assert.ok(clip, "the clip is recorded on the incident after the restart");
      assert.deepEqual(await sha256File(join(dir, clip.file)), { sha256: clip.sha256, bytes: clip.bytes });
      assert.ok(clip.duration_s >= 8, `${clip.duration_s} s`);
      assert.deepEqual(await readdir(join(dir, "clips", ".pending")), [], "nothing left pending");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("a full disk (8 MiB tmpfs) stops the ring before the volume fills, names the cause, incidents go on without clips, and recording resumes when room is back", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-clip-disk-"));
    const volume = join(dir, "volume");
    await mkdir(volume);
    try {
      await run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", volume]);
    } catch (err) {
      t.skip(`cannot mount a tmpfs here (${(err as Error).message.split("\n")[0]}): the full-disk test needs root`);
      await rm(dir, { recursive: true, force: true });
      return;
    }
    const free = async () => {
      const s = await statfs(volume);
      return s.bavail * s.bsize;
    };
    try {
      const minFree = 3 * 1024 * 1024;
      const rig = await openClipRig({
        urls: { roof: rtsp?.url ?? "" },
        dir,
        dataDir: volume,
        minFreeBytes: minFree,
        bounds: { keepMs: 4000 },
      });
      try {
        const sup = () => rig.cameras.manager.supervisor("roof");
        await waitUntil("camera online", () => sup()?.state === "online", 15_000);
        await sleep(3000);
        assert.ok((await rig.ring.segments("roof")).length >= 2, "recording");
        // Counted before the disk fills: the relaunch may come before the ring's stop is seen here.
        const restarts = sup()?.stats.restarts ?? 0;
        // Something else takes the volume (the store, logs): free space falls below the threshold.
        await writeFile(join(volume, "filler"), Buffer.alloc((await free()) - 2 * 1024 * 1024));
        await waitUntil("the ring to stop on low disk", () => rig.ring.stopped, 10_000, 100);
        assert.match(rig.ring.reasons().join(" "), /recording stopped: free space .* below clips\.min_free_bytes/);
        await waitUntil(
          "ffmpeg restarted without the recording output",
          () => (sup()?.stats.restarts ?? 0) > restarts && sup()?.state === "online",
          30_000,
        );
        await rig.ring.prune();
        const before = (await rig.ring.segments("roof")).length;
        const incident = await raise(rig.incidents, "roof", Date.now());
        assert.equal(incident.status, "open", "the incident is raised");
        await sleep(3000);
        await rig.incidents.markEnded(incident.id, Date.now());
        await sleep(6000);
        await rig.ring.prune();
        await rig.recorder.tick();
        assert.equal(
          (await rig.incidents.get(incident.id))?.clips,
          undefined,
          "no clip, and no error: the incident goes on without",
        );
        assert.ok(before <= 1 && (await rig.ring.segments("roof")).length === 0, "nothing recorded while stopped");
        assert.ok((await free()) >= 1024 * 1024, "the volume never filled");
        // Room is back: the ring resumes and the camera records again.
        await rm(join(volume, "filler"));
        await waitUntil("the ring to resume", () => !rig.ring.stopped, 10_000, 100);
        const deadline = Date.now() + 15_000;
        while ((await rig.ring.segments("roof")).length < 2 && Date.now() < deadline) await sleep(300);
        assert.ok((await rig.ring.segments("roof")).length >= 2, "recording resumed");
      } finally {
        await rig.close();
      }
    } finally {
      await run("umount", [volume]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
