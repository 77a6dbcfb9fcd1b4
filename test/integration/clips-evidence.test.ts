// Clips in signed evidence packs: the MP4 goes in under clips/<n>.mp4 with its SHA-256 in the
// signed manifest (the hash taken at assembly), verify names a changed clip, and --no-clips
// (clips: false) leaves the video out. Real store, real MP4 made by ffmpeg, real signature.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { checkpointPublicJwk, generateCheckpointKeyPem } from "../../src/audit/checkpoint.js";
import { ClipStore, sha256File } from "../../src/incidents/clips/clip-store.js";
import { EvidenceExporter } from "../../src/incidents/evidence/exporter.js";
import { serviceEvidenceSource, storeEvidenceSource } from "../../src/incidents/evidence/source.js";
import { verifyEvidenceFiles } from "../../src/incidents/evidence/verify.js";
import { unzipFiles } from "../../src/incidents/evidence/zip.js";
import { openClipRig, type ClipRig } from "../helpers/clip-rig.js";
import { TEST_IDENTITY } from "../helpers/store-stack.js";

const run = promisify(execFile);
let dir: string;
let rig: ClipRig;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-clip-evidence-"));
  rig = await openClipRig({ urls: {}, dir, tickMs: 3_600_000 });
});
after(async () => {
  await rig.close();
  await rm(dir, { recursive: true, force: true });
});

void describe("clips in evidence packs", () => {
  void it("carry the clip with its assembly hash in the signed manifest; a changed clip is named by verify; --no-clips leaves it out", async () => {
    const at = Date.now();
    const incident = await rig.incidents.create({
      cameraId: "yard",
      rule: "restricted",
      objects: [{ label: "person", score: 0.9, box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 } }],
      startedAt: at,
      lastSeenAt: at,
      summary: "Person in restricted zone",
    });
    const file = ClipStore.relativePath(incident.id, 0);
    await mkdir(join(dir, "clips", incident.id), { recursive: true });
    await run("ffmpeg", [
      "-nostdin",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=320x240:rate=10:duration=2",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-movflags",
      "+faststart",
      join(dir, file),
    ]);
    const { sha256, bytes } = await sha256File(join(dir, file));
    await rig.incidents.update(incident.id, {
      lastSeenAt: at,
      clips: [
        {
          file,
          start: new Date(at).toISOString(),
          end: new Date(at + 2000).toISOString(),
          duration_s: 2,
          sha256,
          bytes,
          gaps: [],
        },
      ],
    });
    await rig.incidents.decide(incident.id, {
      action: "dismiss",
      reason: "normal_behavior",
      actor: "otto",
      note: '<script>alert("x")</script> & <img src=http://evil/>',
    });
    const pem = generateCheckpointKeyPem();
    for (const source of [
      serviceEvidenceSource(rig.incidents, rig.stack.audit, undefined, rig.store),
      storeEvidenceSource(rig.stack.store.db),
    ]) {
      const pack = await new EvidenceExporter(source, rig.stack.audit, pem, TEST_IDENTITY).export(incident.id, "otto");
      const files = unzipFiles(pack.zip);
      assert.deepEqual(Buffer.from(files.get("clips/0.mp4") ?? []), await readFile(join(dir, file)));
      assert.equal(
        pack.manifest.files.find((f) => f.path === "clips/0.mp4")?.sha256,
        sha256,
        "the manifest's hash is the one taken at assembly",
      );
      assert.deepEqual((await verifyEvidenceFiles(files, checkpointPublicJwk(pem))).problems, []);
      // report.html: one self-contained page, no script, nothing fetched, the note as text, a frame strip.
      const html = Buffer.from(files.get("report.html") ?? []).toString("utf8");
      assert.ok(
        pack.manifest.files.some((f) => f.path === "report.html"),
        "report.html is signed like every file",
      );
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /(src|href)="(?!data:)/i, "no external resource");
      assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &lt;img src=http:\/\/evil\/&gt;/);
      assert.equal((html.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length, 6, "six frames across the clip");
      assert.match(html, /vigil evidence verify/);
      assert.match(html, /<td>dismiss<\/td>/);
      const tampered = new Map(files);
      const video = Buffer.from(files.get("clips/0.mp4") ?? []);
      video[video.length >> 1] = (video[video.length >> 1] ?? 0) ^ 0x01;
      tampered.set("clips/0.mp4", video);
      const verdict = await verifyEvidenceFiles(tampered, checkpointPublicJwk(pem));
      assert.deepEqual(verdict.problems, [{ file: "clips/0.mp4", problem: "hash_mismatch" }]);
    }
    const bare = await new EvidenceExporter(
      serviceEvidenceSource(rig.incidents, rig.stack.audit, undefined, rig.store),
      rig.stack.audit,
      pem,
      TEST_IDENTITY,
    ).export(incident.id, "otto", undefined, { clips: false });
    const bareFiles = unzipFiles(bare.zip);
    assert.equal(bareFiles.has("clips/0.mp4"), false);
    assert.deepEqual(
      (await verifyEvidenceFiles(bareFiles, checkpointPublicJwk(pem))).problems,
      [],
      "a pack without clips is whole and valid",
    );
    const audited = await rig.stack.audit.list({ action: "incident.exported" });
    assert.deepEqual(
      audited.map((e) => (e.details as { clips: boolean }).clips),
      [true, true, false],
      "the audit entry says whether the video went out",
    );
  });
});
