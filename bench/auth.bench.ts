/**
 * What security costs on this box: login latency with the configured argon2id parameters (and
 * the same for an unknown user and a wrong password, which must not be faster), and the per-request
 * overhead of JWT and API-key authentication against the same handler without auth, in one run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { camera, PUBLIC, role } from "../src/http/route-access.js";
import { openAuthStack } from "../test/helpers/auth-stack.js";
import { fmt, median } from "./stats.js";

const LOGINS = Number(process.env.BENCH_LOGINS ?? 15);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const ROUNDS = 5;
const PASSWORD = "Corr3ct-Horse-Battery!";

const benchRoutes = (app: FastifyInstance): void => {
  const handler = async () => ({ ok: true });
  app.get("/bench/public", { config: { access: PUBLIC } }, handler);
  app.get("/bench/user", { config: { access: role("viewer") } }, handler);
  app.get("/bench/camera/:cameraId", { config: { access: camera("events:write") } }, handler);
};

async function loginMs(app: FastifyInstance, username: string, password: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { username, password },
      remoteAddress: `10.0.${i}.1`,
    });
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function perRequestUs(app: FastifyInstance, url: string, headers: Record<string, string>): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < REQUESTS; i++) await app.inject({ method: "GET", url, headers });
    rounds.push(((performance.now() - t0) * 1000) / REQUESTS);
  }
  return median(rounds);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-auth-bench-"));
  // The default argon2 parameters, as a box runs them; limits high enough never to trigger, so
  // their bookkeeping is measured but no request is refused.
  const stack = await openAuthStack(dir, {
    config: {
      auth: {
        rate_limit: {
          per_ip_per_minute: 10_000_000,
          per_user_per_minute: 10_000_000,
          login_per_ip_per_minute: 1_000_000,
          login_per_user_per_minute: 1_000_000,
        },
        lockout: { max_failures: 100 },
      },
      cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:8554/lobby" }],
    },
    before: [benchRoutes],
  });
  try {
    const a2 = stack.config.auth.argon2;
    await stack.auth.users.add({ username: "alice", role: "viewer", password: PASSWORD }, { name: "bench" });
    const ok = await loginMs(stack.app, "alice", PASSWORD, LOGINS);
    const wrong = await loginMs(stack.app, "alice", "Wr0ng-Password-here!", Math.min(LOGINS, 90));
    const unknown = await loginMs(stack.app, "nobody", PASSWORD, LOGINS);
    console.log(`login (argon2id m=${a2.memory_kib} KiB t=${a2.time_cost} p=${a2.parallelism}), median of ${LOGINS}:`);
    console.log(`  success ${fmt(ok)} ms, wrong password ${fmt(wrong)} ms, unknown user ${fmt(unknown)} ms`);

    const token = (
      await stack.app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { username: "alice", password: PASSWORD },
      })
    ).json<{ access_token: string }>().access_token;
    const created = await stack.auth.keys.create(
      { camera_id: "lobby", per_minute: 100_000, per_hour: 6_000_000 },
      { actor: "bench" },
    );
    const base = await perRequestUs(stack.app, "/bench/public", {});
    const jwt = await perRequestUs(stack.app, "/bench/user", { authorization: `Bearer ${token}` });
    const key = await perRequestUs(stack.app, "/bench/camera/lobby", { authorization: `ApiKey ${created.key}` });
    console.log(`per request through inject(), median of ${ROUNDS} rounds x ${REQUESTS}:`);
    console.log(
      `  no auth ${fmt(base)} us, JWT ${fmt(jwt)} us (+${fmt(jwt - base)} us, x${fmt(jwt / base)}), API key ${fmt(key)} us (+${fmt(key - base)} us, x${fmt(key / base)})`,
    );
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
