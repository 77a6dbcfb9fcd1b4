import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MetricsRouteDeps, registerMetricsRoute } from "../../src/http/routes/metrics.js";
import { appWith } from "../helpers/http-app.js";

const render = async () => ({ contentType: "text/plain; version=0.0.4; charset=utf-8", body: "vigil_up 1\n" });

function app(metrics: MetricsRouteDeps) {
  return appWith([(a) => registerMetricsRoute(a, metrics)]);
}

void describe("GET /metrics protection", () => {
  void it("loopback access serves loopback clients and refuses others with a coded 403", async () => {
    const a = await app({ access: "loopback", render });
    try {
      const local = await a.inject({ method: "GET", url: "/metrics", remoteAddress: "127.0.0.1" });
      assert.equal(local.statusCode, 200);
      assert.match(local.headers["content-type"] as string, /^text\/plain; version=0\.0\.4/);
      assert.equal(local.body, "vigil_up 1\n");
      assert.equal((await a.inject({ method: "GET", url: "/metrics", remoteAddress: "::1" })).statusCode, 200);
      const remote = await a.inject({ method: "GET", url: "/metrics", remoteAddress: "10.0.0.5" });
      assert.equal(remote.statusCode, 403);
      assert.equal(remote.json<{ error: { code: string } }>().error.code, "VIGIL_E_FORBIDDEN");
    } finally {
      await a.close();
    }
  });

  void it("token access needs the exact bearer token, from any address", async () => {
    const token = "m3tr1cs-t0ken-0123456789-abcdefghijkl";
    const a = await app({ access: "token", token, render });
    try {
      for (const authorization of [undefined, "Bearer wrong", `Bearer ${token}x`, token]) {
        const r = await a.inject({
          method: "GET",
          url: "/metrics",
          remoteAddress: "10.0.0.5",
          headers: authorization ? { authorization } : {},
        });
        assert.equal(r.statusCode, 401, String(authorization));
        assert.equal(r.json<{ error: { code: string } }>().error.code, "VIGIL_E_UNAUTHENTICATED");
      }
      const ok = await a.inject({
        method: "GET",
        url: "/metrics",
        remoteAddress: "10.0.0.5",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(ok.statusCode, 200);
    } finally {
      await a.close();
    }
  });
});
