import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReadinessRegistry } from "../../src/health/readiness.js";
import { type HealthRouteDeps, registerHealthRoutes } from "../../src/http/routes/health.js";
import { appWith } from "../helpers/http-app.js";

const healthApp = (deps: HealthRouteDeps) => appWith([(a) => registerHealthRoutes(a, deps)]);

void describe("health endpoints", () => {
  void it("/readyz is 503 with every reason until each check passes, then 200", async () => {
    let storeOpen = false;
    const waiting = ["lobby", "yard"];
    const registry = new ReadinessRegistry();
    registry.add("store", () => (storeOpen ? undefined : "store is not open"));
    registry.add("cameras", () => (waiting.length ? `cameras not started yet: ${waiting.join(", ")}` : undefined));
    const app = await healthApp({
      readiness: () => registry.evaluate(),
      version: "1.2.3",
      startedAt: Date.now(),
      signedIn: async (r) => r.headers.authorization === "Bearer ok",
    });
    try {
      const anonymous = await app.inject({ method: "GET", url: "/readyz" });
      assert.equal(anonymous.statusCode, 503);
      assert.deepEqual(anonymous.json(), { ready: false, reason_count: 2 }, "anonymous callers get no names");
      const before = await app.inject({ method: "GET", url: "/readyz", headers: { authorization: "Bearer ok" } });
      assert.equal(before.statusCode, 503);
      assert.deepEqual(before.json(), {
        ready: false,
        reasons: [
          { check: "store", reason: "store is not open" },
          { check: "cameras", reason: "cameras not started yet: lobby, yard" },
        ],
      });
      storeOpen = true;
      waiting.length = 0;
      const after = await app.inject({ method: "GET", url: "/readyz", headers: { authorization: "Bearer ok" } });
      assert.equal(after.statusCode, 200);
      assert.deepEqual(after.json(), { ready: true, reasons: [] });
      const forged = await app.inject({ method: "GET", url: "/readyz", headers: { authorization: "Bearer forged" } });
      assert.deepEqual(forged.json(), { ready: true, reason_count: 0 });
    } finally {
      await app.close();
    }
  });

  void it("/healthz answers without auth and unknown routes get a coded 404", async () => {
    const app = await healthApp({
      readiness: () => ({ ready: true, reasons: [] }),
      version: "1.2.3",
      startedAt: Date.now(),
    });
    try {
      const health = await app.inject({ method: "GET", url: "/healthz" });
      assert.equal(health.statusCode, 200);
      assert.equal(health.json<{ status: string; version: string }>().version, "1.2.3");
      const missing = await app.inject({ method: "GET", url: "/v1/nothing" });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json<{ error: { code: string } }>().error.code, "VIGIL_E_NOT_FOUND");
    } finally {
      await app.close();
    }
  });
});
