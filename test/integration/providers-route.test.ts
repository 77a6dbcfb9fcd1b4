// GET /v1/providers on the operator API as the daemon composes it (real auth, tokens, access
// hook), showing the providers of a real BlazeFace detector built with [cuda, cpu].
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FaceDetector } from "../../src/inference/face-detector.js";
import { findModel, readManifest } from "../../src/inference/model-manifest.js";
import type { ProviderStatus } from "../../src/inference/providers/provider-chain.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import { ROOT } from "../helpers/repo-root.js";

const MODELS = join(ROOT, "models");

void describe("GET /v1/providers", () => {
  let dir: string;
  let stack: AuthStack;
  let detector: FaceDetector;
  let token: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-providers-route-"));
    const model = findModel(await readManifest(MODELS), "blazeface-front-128");
    detector = new FaceDetector(
      {
        modelsDir: MODELS,
        model,
        scoreThreshold: 0.6,
        iouThreshold: 0.3,
        deadlineMs: 5000,
        providers: [
          { id: "cuda", backend: "cuda", threads: 1 },
          { id: "cpu", backend: "cpu", threads: 1 },
        ],
      },
      silentLogger(),
    );
    await detector.start();
    stack = await openAuthStack(dir, { providers: () => detector.providers() });
    await addUser(stack.auth, "vera", "viewer");
    token = (await loginOk(stack.app, "vera")).access_token;
  });

  after(async () => {
    await stack?.close();
    await detector?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void it("shows each provider in priority order with its state and figures to a viewer", async () => {
    const r = await stack.app.inject({ method: "GET", url: "/v1/providers", headers: bearer(token) });
    assert.equal(r.statusCode, 200, r.body);
    const { providers } = r.json<{ providers: ProviderStatus[] }>();
    assert.deepEqual(
      providers.map((p) => p.id),
      ["cuda", "cpu"],
    );
    const cpu = providers[1]!;
    assert.equal(cpu.state, "healthy");
    assert.equal(cpu.loaded, true);
    assert.equal(cpu.model, "blazeface-front-128");
    assert.ok(typeof cpu.warmup_ms === "number" && cpu.warmup_ms > 0, "warmed up at load");
    const cuda = providers[0]!;
    // On a box without the CUDA provider libraries the cuda session cannot be created.
    if (!cuda.loaded) {
      assert.equal(cuda.state, "unhealthy");
      assert.ok(cuda.last_error);
    }
  });

  void it("filters by state", async () => {
    const r = await stack.app.inject({ method: "GET", url: "/v1/providers?state=healthy", headers: bearer(token) });
    assert.equal(r.statusCode, 200);
    const { providers } = r.json<{ providers: ProviderStatus[] }>();
    assert.ok(providers.length >= 1);
    assert.ok(providers.every((p) => p.state === "healthy"));
  });

  void it("refuses an unknown state or query key, and anyone not signed in", async () => {
    const bad = await stack.app.inject({ method: "GET", url: "/v1/providers?state=sleepy", headers: bearer(token) });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorCode(bad), "VIGIL_E_VALIDATION");
    const extra = await stack.app.inject({ method: "GET", url: "/v1/providers?verbose=1", headers: bearer(token) });
    assert.equal(extra.statusCode, 400);
    const anon = await stack.app.inject({ method: "GET", url: "/v1/providers" });
    assert.equal(anon.statusCode, 401);
    assert.equal(errorCode(anon), "VIGIL_E_UNAUTHENTICATED");
  });
});
