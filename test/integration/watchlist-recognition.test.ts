// Enrolment and recognition on real photos with the real default models (BlazeFace, the dlib
// ResNet at its manifest threshold): a person enrolled from one photo is recognised in a
// different rendering of her, the strangers of face-api's other demo photos are not, and bad
// enrolment photos are refused with codes naming the photo. (The demo photos hold no second
// photo of anyone that could be confirmed by eye, so "different photo" is a re-rendering:
// mirrored, rescaled, re-encoded; docs/watchlist.md.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { AuditInput } from "../../src/contract/audit.js";
import { ErrorCodes } from "../../src/core/errors.js";
import type { FacesFact } from "../../src/contract/faces.js";
import { FaceRecogniser } from "../../src/inference/faces/face-recogniser.js";
import { RecognisingDetector } from "../../src/inference/faces/recognising-detector.js";
import { decodeJpeg } from "../../src/ingest/jpeg-decoder.js";
import { facesInPhoto } from "../../src/watchlist/photo-faces.js";
import { buildKeyring } from "../../src/watchlist/watchlist-keyring.js";
import { WatchlistService } from "../../src/watchlist/watchlist-service.js";
import { WatchlistStore } from "../../src/watchlist/watchlist-store.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { faceModels, PHOTOS, photo } from "../helpers/face-models.js";
import { openStoreStack, type StoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const run = promisify(execFile);

/** sample1.jpg re-rendered by ffmpeg with `filter` into a new JPEG. */
async function rendered(filter: string, quality: number): Promise<Buffer> {
  const { stdout } = await run(
    "ffmpeg",
    [
      "-nostdin",
      "-v",
      "error",
      "-i",
      join(PHOTOS, "sample1.jpg"),
      "-vf",
      filter,
      "-q:v",
      String(quality),
      "-f",
      "image2",
      "-c:v",
      "mjpeg",
      "pipe:1",
    ],
    { encoding: "buffer", maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

void describe("watchlist recognition on real photos", () => {
  let dir: string;
  let stack: StoreStack;
  let models: Awaited<ReturnType<typeof faceModels>>;
  let store: WatchlistStore;
  let service: WatchlistService;
  const audited: AuditInput[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-recognition-"));
    stack = await openStoreStack(dir);
    models = await faceModels();
    const ring = buildKeyring(randomBytes(32).toString("base64url"));
    store = new WatchlistStore(stack.db, stack.commits, async () => ({ ok: true, ring }), silentLogger());
    await store.start();
    const audit = {
      record: async (input: AuditInput) => (
        audited.push(input),
        { ...input, seq: audited.length, ts: "", prev_mac: "", mac: "" }
      ),
    };
    service = new WatchlistService({
      store,
      audit,
      finder: models.detector,
      embedder: models.embedder,
      ready: () => true,
      maxPhotos: 10,
    });
  });
  after(async () => {
    await store.stop();
    await models.stop();
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it("recognises the enrolled person in a different rendering and nobody else", async () => {
    // Enrolment photo: the woman on the left of sample1, cut out so hers is the only face.
    const enrolment = await rendered("crop=700:900:200:100", 2);
    const { person, photos } = await service.enroll(
      { name: "Left of sample1", photos: [enrolment.toString("base64")] },
      { actor: "tester" },
    );
    assert.equal(person.embeddings, 1);
    assert.equal(photos.length, 1);
    assert.equal(audited.at(-1)?.action, "watchlist.enrolled");

    const recogniser = new FaceRecogniser(models.embedder, () => store.gallery(), {
      matchThreshold: models.matchThreshold,
      minFacePx: 40,
      maxFacesPerFrame: 10,
    });
    const recognise = async (jpeg: Buffer) => {
      const found = await facesInPhoto(jpeg, models.detector, "probe");
      return (await recogniser.recognise(found.image, found.placement, found.faces)).sort(
        (a, b) => a.box.x1 - b.box.x1,
      );
    };

    // A different photo of her: the whole scene, mirrored, at 60% and lower JPEG quality.
    const probe = await recognise(await rendered("hflip,scale=iw*0.6:-2", 6));
    assert.equal(probe.length, 3, "the three women of sample1");
    // Mirrored, so she is now on the right.
    const her = probe[2];
    console.log(
      `same person: similarity ${her?.similarity.toFixed(4)}; others in the photo: ${probe
        .slice(0, 2)
        .map((f) => f.similarity.toFixed(4))
        .join(", ")}`,
    );
    assert.deepEqual(her?.identity, { person_id: person.id, name: person.name });
    for (const other of probe.slice(0, 2)) assert.equal(other.identity, null);

    let strangers = 0;
    let nearest = -1;
    for (const name of ["sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg"]) {
      for (const face of await recognise(await photo(name))) {
        strangers += 1;
        nearest = Math.max(nearest, face.similarity);
        assert.equal(face.identity, null, `a stranger in ${name} matched at ${face.similarity}`);
      }
    }
    console.log(
      `strangers: ${strangers}, highest similarity ${nearest.toFixed(4)}, threshold ${models.matchThreshold} (${models.entry.id})`,
    );
    assert.ok(strangers >= 15, `only ${strangers} strangers' faces found`);
  });

  void it("in the detection loop, a frame with the enrolled face yields a faces fact naming her", async () => {
    const [person] = store.list();
    assert.ok(person, "enrolled by the test before");
    // A camera frame as the daemon has it: the detector's 256x256 letterbox of a close shot.
    const { rgb, source } = await decodeJpeg(await rendered("crop=500:600:300:150,hflip", 5), 256, 256);
    const facts: FacesFact[] = [];
    const recogniser = new FaceRecogniser(models.embedder, () => store.gallery(), {
      matchThreshold: models.matchThreshold,
      minFacePx: 24,
      maxFacesPerFrame: 5,
    });
    const detector = new RecognisingDetector(
      models.detector,
      recogniser,
      (f) => facts.push(f),
      { reportUnknown: false, active: () => true },
      silentLogger(),
    );
    const result = await detector.detect({
      cameraId: "lobby",
      index: 7,
      capturedAt: 1000,
      width: 256,
      height: 256,
      rgb,
      source,
    });
    assert.equal(result.detections.length, 1);
    assert.equal(facts.length, 1);
    console.log(`in a 256x256 camera frame: similarity ${facts[0]?.faces[0]?.similarity.toFixed(4)}`);
    assert.deepEqual(
      facts[0]?.faces.map((f) => f.identity?.person_id),
      [person.id],
    );
    assert.equal(facts[0]?.cameraId, "lobby");
  });

  void it("refuses a photo with several faces, naming the photo", async () => {
    const err = await expectVigilAsync(
      service.enroll(
        {
          name: "x",
          photos: [
            (await rendered("crop=700:900:200:100", 3)).toString("base64"),
            (await photo("sample2.jpg")).toString("base64"),
          ],
        },
        { actor: "tester" },
      ),
      ErrorCodes.FACE_MULTIPLE,
    );
    assert.equal(err.details?.field, "/photos/1");
  });

  void it("refuses a photo without a face, and one that is not a JPEG", async () => {
    const err = await expectVigilAsync(
      service.enroll({ name: "x", photos: [(await photo("person.jpg")).toString("base64")] }, { actor: "tester" }),
      ErrorCodes.FACE_NOT_FOUND,
    );
    assert.equal(err.details?.field, "/photos/0");
    const bad = await expectVigilAsync(
      service.enroll({ name: "x", photos: [Buffer.from("not a jpeg at all").toString("base64")] }, { actor: "tester" }),
      ErrorCodes.VALIDATION,
    );
    assert.equal(bad.details?.field, "/photos/0");
  });
});
