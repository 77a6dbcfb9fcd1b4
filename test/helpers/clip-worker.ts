// A process that does what the daemon does with pending clips at start: sweep half-made files,
// pick up the incidents whose clips are not cut yet, cut them into the store, exit. The crash test
// SIGKILLs it (with its ffmpeg) in the middle of an assembly and runs it again.
import { join } from "node:path";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import { ClipRecorder } from "../../src/incidents/clips/clip-recorder.js";
import { ClipStore } from "../../src/incidents/clips/clip-store.js";
import { PendingClipFiles } from "../../src/incidents/clips/pending-clips.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { RecordingRing } from "../../src/ingest/recording/recording-ring.js";
import { openAuthStack } from "./auth-stack.js";
import { SEGMENT_S } from "./clip-rig.js";
import { silentLogger } from "./uplink-stack.js";

const [dir, cameraId] = process.argv.slice(2);
if (!dir || !cameraId) throw new Error("usage: clip-worker DIR CAMERA");
const stack = await openAuthStack(dir);
const bus = new EventBus<VigilEvents>(() => {});
const incidents = new IncidentService(stack.store.db, stack.store.outbox, bus, silentLogger(), stack.audit, {
  minConfidence: 0.5,
});
const ring = new RecordingRing({
  root: join(dir, "recordings"),
  records: () => false,
  segmentS: SEGMENT_S,
  bounds: { keepMs: 3_600_000, maxBytes: 1 << 30 },
  minFreeBytes: 0,
  intervalMs: 60_000,
  log: silentLogger(),
});
const settings = { enabled: true, preRollMs: 2000, postRollMs: 2000, maxClipMs: 60_000 };
const recorder = new ClipRecorder({
  bus,
  incidents,
  ring,
  store: new ClipStore(dir),
  pending: new PendingClipFiles(dir),
  settings: (id) => (id === cameraId ? settings : undefined),
  settleMs: 1000,
  tickMs: 3_600_000,
  gapToleranceMs: (SEGMENT_S + 1.5) * 1000,
  log: silentLogger(),
});
await recorder.start();
process.stdout.write(`STARTED ${recorder.waiting}\n`);
await recorder.tick();
process.stdout.write(`DONE ${recorder.waiting}\n`);
await recorder.stop();
await stack.close();
