// /v1/watchlist through the real operator API (auth, roles, limits, error mapping, audit chain)
// with the real models and an encrypted store on LevelDB.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ErrorCodes } from "../../src/core/errors.js";
import { registerWatchlistRoutes } from "../../src/http/routes/watchlist.js";
import { buildKeyring } from "../../src/watchlist/watchlist-keyring.js";
import { WatchlistService } from "../../src/watchlist/watchlist-service.js";
import { WatchlistStore } from "../../src/watchlist/watchlist-store.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { faceModels, PHOTOS } from "../helpers/face-models.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const run = promisify(execFile);
let dir: string;
let stack: AuthStack;
let models: Awaited<ReturnType<typeof faceModels>>;
let store: WatchlistStore;
let service: WatchlistService | undefined;
const tokens: Record<string, string> = {};
let facePhoto: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-watchlist-api-"));
  const deps = {
    get watchlist(): WatchlistService {
      if (!service) throw new Error("watchlist not built yet");
      return service;
    },
    enrollBodyLimitBytes: 2_000_000,
  };
  stack = await openAuthStack(dir, { before: [(app) => registerWatchlistRoutes(app, deps)] });
  models = await faceModels();
  const ring = buildKeyring(randomBytes(32).toString("base64url"));
  store = new WatchlistStore(stack.store.db, stack.store.commits, async () => ({ ok: true, ring }), silentLogger());
  await store.start();
  service = new WatchlistService({
    store,
    audit: stack.audit,
    finder: models.detector,
    embedder: models.embedder,
    ready: () => true,
    maxPhotos: 3,
  });
  for (const [name, role] of [
    ["olga", "operator"],
    ["sam", "supervisor"],
  ] as const) {
    await addUser(stack.auth, name, role);
    tokens[name] = (await loginOk(stack.app, name)).access_token;
  }
  const { stdout } = await run(
    "ffmpeg",
    [
      "-nostdin",
      "-v",
      "error",
      "-i",
      join(PHOTOS, "sample1.jpg"),
      "-vf",
      "crop=700:900:200:100,scale=350:-2",
      "-q:v",
      "4",
      "-f",
      "image2",
      "-c:v",
      "mjpeg",
      "pipe:1",
    ],
    { encoding: "buffer" },
  );
  facePhoto = stdout.toString("base64");
});

after(async () => {
  await store.stop();
  await models.stop();
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (who: string, method: "GET" | "POST" | "DELETE", url: string, payload?: unknown) =>
  stack.app.inject({
    method,
    url,
    headers: bearer(tokens[who] ?? ""),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

void describe("/v1/watchlist", () => {
  void it("is for supervisors: an operator gets 403 and nothing changes", async () => {
    const before = await stack.snapshot();
    const r = await call("olga", "POST", "/v1/watchlist", { name: "Ada", photos: [facePhoto] });
    assert.equal(r.statusCode, 403);
    assert.equal(errorCode(r), ErrorCodes.FORBIDDEN);
    assert.equal((await call("olga", "GET", "/v1/watchlist")).statusCode, 403);
    assert.equal((await call("olga", "DELETE", "/v1/watchlist/wl_aaaaaaaaaaaaaaaa")).statusCode, 403);
    assert.equal(await stack.snapshot(), before);
    assert.deepEqual(store.list(), []);
  });

  void it("enrols, lists without embeddings, deletes, and audits each change", async () => {
    const created = await call("sam", "POST", "/v1/watchlist", {
      name: "Ada",
      threshold: 0.99,
      notes: "visitor ban",
      photos: [facePhoto],
    });
    assert.equal(created.statusCode, 201, created.body);
    const { person } = created.json<{ person: { id: string; name: string; threshold: number; embeddings: number } }>();
    assert.equal(person.name, "Ada");
    assert.equal(person.threshold, 0.99);

    const listed = await call("sam", "GET", "/v1/watchlist");
    assert.equal(listed.statusCode, 200);
    const body = listed.json<{
      persons: Array<Record<string, unknown>>;
      status: { available: boolean; embeddings: number };
    }>();
    assert.deepEqual(
      body.persons.map((p) => p.id),
      [person.id],
    );
    assert.equal(body.status.available, true);
    assert.ok(!listed.body.includes('"ct"') && !("embedding" in (body.persons[0] ?? {})), "no embeddings in the list");

    const deleted = await call("sam", "DELETE", `/v1/watchlist/${person.id}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.equal((await call("sam", "DELETE", `/v1/watchlist/${person.id}`)).statusCode, 404);
    assert.deepEqual(await stack.store.db.sublevels.watchlist.keys().all(), []);

    const entries = (await stack.auditEntries()).filter((e) => e.action.startsWith("watchlist."));
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor, e.target]),
      [
        ["watchlist.enrolled", "sam", `watchlist:${person.id}`],
        ["watchlist.deleted", "sam", `watchlist:${person.id}`],
      ],
    );
    // The append-only audit chain names the person by id only: deleting them leaves no name behind.
    assert.ok(!JSON.stringify(entries).includes("Ada"));
  });

  void it("answers bad enrolments with codes naming the field", async () => {
    const crowd = (await import("node:fs/promises")).readFile(join(PHOTOS, "sample3.jpg"));
    const several = await call("sam", "POST", "/v1/watchlist", {
      name: "Ada",
      photos: [facePhoto, (await crowd).toString("base64")],
    });
    assert.equal(several.statusCode, 422);
    assert.equal(errorCode(several), ErrorCodes.FACE_MULTIPLE);
    assert.equal(several.json<{ error: { field: string } }>().error.field, "/photos/1");
    const noName = await call("sam", "POST", "/v1/watchlist", { photos: [facePhoto] });
    assert.equal(noName.statusCode, 400);
    const tooMany = await call("sam", "POST", "/v1/watchlist", {
      name: "Ada",
      photos: [facePhoto, facePhoto, facePhoto, facePhoto],
    });
    assert.equal(errorCode(tooMany), ErrorCodes.VALIDATION);
    const huge = await call("sam", "POST", "/v1/watchlist", { name: "Ada", photos: ["A".repeat(2_100_000)] });
    assert.equal(huge.statusCode, 413);
    assert.deepEqual(store.list(), []);
  });
});
