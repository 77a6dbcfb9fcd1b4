// Face recognition in the running daemon, as an installer and central use it: the default
// object detector (NanoDet) with BlazeFace beside it, the default embedder (dlib's ResNet) at its
// manifest threshold (faces.match_threshold left unset), a person enrolled through the CLI or by
// central's signed command, watchlist_face incidents on the broker, and deletion that stops
// them. Real daemon child process, RTSP server, ffmpeg, LevelDB, mosquitto.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { CompactSign, exportSPKI, generateKeyPair } from "jose";
import { connectAsync, type MqttClient } from "mqtt";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { CommandResult } from "../../src/contract/command.js";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import type { PersonRecord } from "../../src/watchlist/person-record.js";
import { type DaemonHandle, provisionBox, runCli, type TestBox } from "../helpers/daemon.js";
import { embeddingModel, PHOTOS } from "../helpers/face-models.js";
import { freePort } from "../helpers/free-port.js";
import { type MosquittoHandle, startMosquitto } from "../helpers/mosquitto.js";
import { type CollectedMessage, collectMqtt, type MqttCollector } from "../helpers/mqtt-collector.js";
import { fixturePath, requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const SITE = "fc";
const GATEWAY = "gw-faces";
const BASE = `vigil/${SITE}/${GATEWAY}`;
const PASSWORD = "Corr3ct-Horse-Battery!";

/** sample1.jpg through ffmpeg's `filter` into a JPEG: the enrolment photos. */
async function sample1(filter: string, quality: number): Promise<Buffer> {
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

// The woman on the left of sample1, cut out so hers is the only face (as in watchlist-recognition).
const HER_FACE = "crop=700:900:200:100";

const incidentsCreated = (c: MqttCollector, from = 0): Incident[] =>
  c.messages
    .slice(from)
    .filter((m) => m.topic === `${BASE}/incidents`)
    .map((m) => m.json() as Envelope<Incident>)
    .filter((e) => e.type === "incident.created" && e.data.rule === "watchlist_face")
    .map((e) => e.data);

const auditEntries = (c: MqttCollector): AuditEntry[] =>
  c.messages
    .filter((m) => m.topic === `${BASE}/audit` && (m.json() as Envelope).type === "audit.entry")
    .map((m) => (m.json() as Envelope<AuditEntry>).data);

void describe("face recognition in the running daemon (NanoDet + BlazeFace + dlib ResNet, RTSP, mosquitto)", () => {
  let rtsp: RtspServerHandle;
  let broker: MosquittoHandle;
  let box: TestBox;
  let daemon: DaemonHandle;
  let collector: MqttCollector;
  let central: MqttClient;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  const vigil = (args: string[]) => runCli([...args, "--config", box.configPath]);
  const listed = async (): Promise<PersonRecord[]> => {
    const out = await vigil(["watchlist", "list", "--json"]);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    return (JSON.parse(out.stdout) as { persons: PersonRecord[] }).persons;
  };
  const command = (name: string, args: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return { id: randomUUID(), name, aud: `${SITE}/${GATEWAY}`, iat: now, exp: now + 60, args };
  };
  /** Waits for a watchlist_face incident naming the person; a failure shows what the recogniser compared. */
  const recognised = async (personId: string) => {
    try {
      await collector.waitFor(
        () => incidentsCreated(collector).some((i) => i.identity?.person_id === personId),
        30_000,
      );
    } catch (err) {
      const compared = daemon.logs.filter((l) => l.msg === "faces compared with the watchlist").slice(-8);
      const health = await vigil(["health", "--json"]);
      throw new Error(
        `${(err as Error).message}\nlast comparisons: ${JSON.stringify(compared)}\nhealth: ${health.stdout.slice(0, 4000)}`,
      );
    }
  };
  const resultOf = (name: string, id: string) => (m: CollectedMessage) =>
    m.topic === `${BASE}/cmd_result/${name}` && (m.json() as CommandResult).id === id;

  before(async () => {
    requireFixtures();
    // sample1 for 3 s, then a dog for 3 s, looped: her face leaves the view every cycle, so its
    // track ends and a new one starts. With a 1 s group window every cycle she is recognised in
    // is a new incident, which is what makes "no incident after the delete" able to fail (a face
    // that never left the view would stay one incident whatever the watchlist says).
    rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
    broker = await startMosquitto();
    const keys = await generateKeyPair("EdDSA", { extractable: true });
    sign = async (claims) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: "EdDSA" })
        .sign(keys.privateKey);
    box = await provisionBox({
      site: SITE,
      gateway: GATEWAY,
      http: { listen: `127.0.0.1:${await freePort()}` },
      mqtt: { brokers: [broker.url] },
      commands: { key_file: "central.pem" },
      // The watchlist_key secret was generated by `vigil init` (provisionBox); the detector is the default NanoDet.
      faces: { enabled: true },
      rules: { group_window_s: 1, watchlist_face: { enabled: true, next_step: "notify" } },
      cameras: [{ id: "lobby", url: rtsp.url, detect: { fps: 5 } }],
      audit: { checkpoint_interval_s: 3600 },
      log: { level: "debug" },
    });
    await writeFile(join(box.dir, "central.pem"), await exportSPKI(keys.publicKey));
    collector = await collectMqtt(broker.url, `${BASE}/#`);
    central = await connectAsync(broker.url, { clientId: "central-faces-test" });
    daemon = box.start();
    await daemon.waitForLog((l) => l.msg === "started", 30_000);
    await collector.waitFor(
      (m) => m.topic === `${BASE}/status` && (m.json() as { state: string }).state === "online",
      20_000,
    );
  });

  after(async () => {
    await central?.endAsync();
    await collector?.close();
    await box?.cleanup();
    await broker?.stop();
    await rtsp?.stop();
  });

  void it("a person enrolled with the CLI is named in watchlist_face incidents until deleted", async () => {
    const photoFile = join(box.dir, "her-face.jpg");
    await writeFile(photoFile, await sample1(HER_FACE, 2));
    const enrolled = await vigil(["watchlist", "enroll", "--name", "Ada Example", photoFile, "--json"]);
    assert.equal(enrolled.code, 0, enrolled.stdout + enrolled.stderr);
    const { person } = JSON.parse(enrolled.stdout) as { person: PersonRecord };
    assert.match(person.id, /^wl_/);
    assert.equal(person.embeddings, 1);

    // Seen on the camera: an incident naming her, with the similarity that decided.
    const ofHer = (i: Incident) => i.identity?.person_id === person.id;
    await recognised(person.id);
    const first = incidentsCreated(collector).find(ofHer);
    assert.ok(first?.identity);
    assert.deepEqual(
      [first.identity.person_id, first.identity.name, first.camera_id, first.next_step],
      [person.id, "Ada Example", "lobby", "notify"],
    );
    console.log(`recognised on the camera: similarity ${first.identity.similarity}`);
    const { matchThreshold } = await embeddingModel();
    assert.ok(
      first.identity.similarity >= matchThreshold,
      `similarity ${first.identity.similarity}, threshold ${matchThreshold}`,
    );
    assert.match(first.summary, /Watchlist match: Ada Example/);
    // ...and again when she comes back into view: recognition keeps running.
    await collector.waitFor(() => incidentsCreated(collector).filter(ofHer).length >= 2, 20_000);

    // Every model runs behind a provider the health document shows: the camera detector, the face
    // detectors (beside it, and for enrolment) and the embedder, each loaded and used.
    const health = await vigil(["health", "--json"]);
    const { providers } = JSON.parse(health.stdout) as {
      providers: Array<{ model: string; state: string; loaded: boolean; runs: number }>;
    };
    assert.deepEqual(providers.map((p) => p.model).sort(), [
      "blazeface-back-256",
      "blazeface-back-256",
      "dlib-resnet-150",
      "nanodet-g-416",
    ]);
    assert.ok(
      providers.every((p) => p.loaded && p.state === "healthy"),
      JSON.stringify(providers),
    );
    assert.ok(
      providers.filter((p) => p.model === "dlib-resnet-150").every((p) => p.runs >= 2),
      JSON.stringify(providers),
    );

    // Listed without embeddings; audited by id only: the append-only chain must not keep her name.
    const persons = await listed();
    assert.deepEqual(
      persons.map((p) => [p.id, p.name, p.embeddings]),
      [[person.id, "Ada Example", 1]],
    );
    assert.doesNotMatch(JSON.stringify(persons), /embedding"|"vector|"ct"|"iv"/);
    await collector.waitFor(
      () =>
        auditEntries(collector).some((e) => e.action === "watchlist.enrolled" && e.target === `watchlist:${person.id}`),
      10_000,
    );
    const enrolment = auditEntries(collector).find(
      (e) => e.action === "watchlist.enrolled" && e.target === `watchlist:${person.id}`,
    );
    assert.doesNotMatch(JSON.stringify(enrolment), /Ada/);

    const deleted = await vigil(["watchlist", "delete", person.id, "--json"]);
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
    assert.deepEqual(await listed(), []);
    // Grace: a frame recognised just before the delete may still be on its way through the rule
    // engine and the outbox when the CLI returns. Anything created after it is a match made
    // against a gallery that no longer has her.
    await sleep(2_000);
    const mark = collector.messages.length;
    // Longer than a full cycle (3 s of her, 3 s of the dog): she has been back in view.
    await sleep(8_000);
    assert.deepEqual(
      incidentsCreated(collector, mark).map((i) => i.identity),
      [],
    );
    await collector.waitFor(
      () =>
        auditEntries(collector).some((e) => e.action === "watchlist.deleted" && e.target === `watchlist:${person.id}`),
      10_000,
    );
  });

  void it("central enrols and deletes with signed commands: idempotent by command id, bad photos refused with a code", async () => {
    // A small face crop: a command is at most 64 KiB, photo base64 inside a base64url JWS.
    const small = await sample1(`${HER_FACE},scale=240:-2`, 5);
    assert.ok(small.length < 30_000, `crop is ${small.length} bytes`);
    const enroll = command("watchlist.enroll", { name: "Central Ada", photos: [small.toString("base64")] });
    const token = await sign(enroll);
    await central.publishAsync(`${BASE}/cmd/watchlist.enroll`, token, { qos: 1 });
    const answer = await collector.waitFor(resultOf("watchlist.enroll", enroll.id), 20_000);
    const result = answer.json() as CommandResult;
    assert.equal(result.ok, true, JSON.stringify(result));
    const person = (result.data as { person: PersonRecord }).person;
    assert.match(person.id, /^wl_/);
    assert.equal(person.name, "Central Ada");
    assert.equal(person.created_by, `central:${enroll.id}`);

    // Delivered again: the first answer, and she is enrolled once.
    await central.publishAsync(`${BASE}/cmd/watchlist.enroll`, token, { qos: 1 });
    await collector.waitFor(
      () => collector.messages.filter(resultOf("watchlist.enroll", enroll.id)).length >= 2,
      15_000,
    );
    const answers = collector.messages.filter(resultOf("watchlist.enroll", enroll.id)).map((m) => m.payload.toString());
    assert.equal(answers[1], answers[0]);
    assert.deepEqual(
      (await listed()).map((p) => p.id),
      [person.id],
    );

    // Enrolled by central, recognised on the camera like any other.
    await recognised(person.id);

    // Not a JPEG, a JPEG cut short (ffmpeg cannot decode it), not base64: refused naming the
    // photo, nothing enrolled.
    const malformed: Array<[string, RegExp]> = [
      [Buffer.from("definitely not a jpeg").toString("base64"), /photos\/0: not a JPEG/],
      [small.subarray(0, 600).toString("base64"), /photos\/0/],
      ["%%% not base64 %%%", /args\/photos\/0/],
    ];
    for (const [photo, message] of malformed) {
      const bad = command("watchlist.enroll", { name: "Broken", photos: [photo] });
      await central.publishAsync(`${BASE}/cmd/watchlist.enroll`, await sign(bad), { qos: 1 });
      const refused = (await collector.waitFor(resultOf("watchlist.enroll", bad.id), 15_000)).json() as CommandResult;
      assert.deepEqual([refused.ok, refused.error?.code], [false, "VIGIL_E_VALIDATION"], JSON.stringify(refused));
      assert.match(refused.error?.message ?? "", message);
    }
    assert.deepEqual(
      (await listed()).map((p) => p.id),
      [person.id],
    );

    const remove = command("watchlist.delete", { id: person.id });
    await central.publishAsync(`${BASE}/cmd/watchlist.delete`, await sign(remove), { qos: 1 });
    const removed = (await collector.waitFor(resultOf("watchlist.delete", remove.id), 15_000)).json() as CommandResult;
    assert.equal(removed.ok, true, JSON.stringify(removed));
    assert.equal((removed.data as { deleted: PersonRecord }).deleted.id, person.id);
    assert.deepEqual(await listed(), []);
    const again = command("watchlist.delete", { id: person.id });
    await central.publishAsync(`${BASE}/cmd/watchlist.delete`, await sign(again), { qos: 1 });
    const gone = (await collector.waitFor(resultOf("watchlist.delete", again.id), 15_000)).json() as CommandResult;
    assert.equal(gone.ok, false);
    assert.equal(gone.error?.code, "VIGIL_E_NOT_FOUND");

    daemon.signal("SIGTERM");
    assert.equal(await daemon.exited, 0);
  });
});

void describe("face recognition off (the default)", () => {
  void it("POST /v1/watchlist answers 503 WATCHLIST_UNAVAILABLE and the CLI says why", async () => {
    const port = await freePort();
    const box = await provisionBox({
      site: SITE,
      gateway: "gw-nofaces",
      http: { listen: `127.0.0.1:${port}` },
      cameras: [],
    });
    try {
      const added = await runCli(
        ["user", "add", "boss", "--role", "supervisor", "--config", box.configPath],
        {},
        PASSWORD,
      );
      assert.equal(added.code, 0, added.stdout + added.stderr);
      const daemon = box.start();
      await daemon.waitForLog((l) => l.msg === "started", 30_000);
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "boss", password: PASSWORD }),
      });
      assert.equal(login.status, 200);
      const { access_token } = (await login.json()) as { access_token: string };
      const photo = (await sample1(`${HER_FACE},scale=240:-2`, 5)).toString("base64");
      const res = await fetch(`${base}/v1/watchlist`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Nobody", photos: [photo] }),
      });
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, "VIGIL_E_WATCHLIST_UNAVAILABLE");
      assert.match(body.error.message, /faces\.enabled/);
      const cli = await runCli(["watchlist", "list", "--json", "--config", box.configPath]);
      assert.equal(cli.code, 1, cli.stdout + cli.stderr);
      const refused = JSON.parse(cli.stdout) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(refused.error.code, "VIGIL_E_WATCHLIST_UNAVAILABLE");
      assert.match(refused.error.message, /faces\.enabled: false/);
      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
    } finally {
      await box.cleanup();
    }
  });
});
