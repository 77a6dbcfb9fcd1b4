import { join } from "node:path";
import type { Incident } from "../../src/contract/incident.js";
import type { Role } from "../../src/contract/roles.js";
import { readFile } from "node:fs/promises";
import { type DaemonHandle, type LogLine, provisionBox, runCli, type TestBox } from "./daemon.js";
import { fixturePath } from "./rtsp-server.js";
import { freePort } from "./free-port.js";

export const CONSOLE_CAMERAS = ["gate", "yard", "dock"] as const;

/** The gate camera's zone, watched by a `restricted` rule for people ("intrusion"). */
export const GATE_ZONE = {
  id: "floor",
  name: "Floor",
  polygon: [
    [0.05, 0.05],
    [0.95, 0.05],
    [0.95, 0.95],
    [0.05, 0.95],
  ] as Array<[number, number]>,
};

export interface ConsoleUser {
  readonly username: string;
  readonly password: string;
}

export interface ConsoleBox {
  readonly url: string;
  readonly box: TestBox;
  readonly daemon: DaemonHandle;
  /** One user per role, plus a second supervisor (`supervisor2`) for the four-eyes rule. */
  readonly users: Record<Role | "supervisor2", ConsoleUser>;
  /** The gate camera pushes JPEGs of a person (darknet's person.jpg) until the detector and the
   * `intrusion` zone rule raise a real incident, with snapshots and boxes. */
  raiseIntrusion(): Promise<Incident>;
  /** A camera pushes a `tamper` event and the tamper rule raises a real incident from it. */
  raiseTamper(camera?: (typeof CONSOLE_CAMERAS)[number]): Promise<Incident>;
  /** An access token, as an API client gets one (body flow). */
  token(user: ConsoleUser): Promise<string>;
  api<T>(path: string, init?: RequestInit & { token?: string }): Promise<{ status: number; body: T }>;
  cleanup(): Promise<void>;
}

const PASSWORD = "Correct-horse-battery-staple-42";

/**
 * A real daemon (child process, `vigil run`) with push cameras, users of every role made with
 * `vigil user add`, and an API key per camera from `vigil key create`: incidents come from pushed
 * tamper events through the real ingest route, rule engine and incident store.
 */
export async function startConsoleBox(
  config: Record<string, unknown> = {},
  seed?: (dataDir: string) => Promise<void>,
): Promise<ConsoleBox> {
  const port = await freePort();
  const box = await provisionBox({
    site: "console",
    gateway: "gw-ui",
    log: { level: "info" },
    http: { listen: `127.0.0.1:${port}` },
    mqtt: { brokers: [] },
    auth: {
      argon2: { memory_kib: 19_456, time_cost: 2 },
      rate_limit: {
        per_ip_per_minute: 100_000,
        per_user_per_minute: 100_000,
        login_per_ip_per_minute: 1000,
        login_per_user_per_minute: 1000,
      },
    },
    rules: {
      group_window_s: 0,
      zones: [{ id: "intrusion", kind: "restricted", camera: "gate", zone: GATE_ZONE.id, labels: ["person"] }],
    },
    cameras: CONSOLE_CAMERAS.map((id) => ({
      id,
      url: "rtsp://127.0.0.1:1/none",
      enabled: false,
      ...(id === "gate" ? { zones: [GATE_ZONE] } : {}),
    })),
    ...config,
  });
  const cli = async (args: string[], stdin = ""): Promise<string> => {
    const r = await runCli([...args, "--config", box.configPath], {}, stdin);
    if (r.code !== 0) throw new Error(`vigil ${args.join(" ")}: ${r.code} ${r.stdout} ${r.stderr}`);
    return r.stdout.trim();
  };
  const roles: Array<[Role | "supervisor2", Role]> = [
    ["viewer", "viewer"],
    ["operator", "operator"],
    ["supervisor", "supervisor"],
    ["supervisor2", "supervisor"],
    ["admin", "admin"],
  ];
  const users = {} as Record<Role | "supervisor2", ConsoleUser>;
  for (const [name, role] of roles) {
    const username = `${name}-user`.replace("2-user", "-two");
    await cli(["user", "add", username, "--role", role], `${PASSWORD}\n`);
    users[name] = { username, password: PASSWORD };
  }
  const keys = new Map<string, string>();
  for (const id of CONSOLE_CAMERAS)
    keys.set(id, await cli(["key", "create", "--camera", id, "--per-minute", "100000", "--per-hour", "6000000"]));
  await seed?.(join(box.dir, "data"));
  const daemon = box.start();
  await daemon.waitForLog((l) => l.msg === "started", 60_000);
  const url = `http://127.0.0.1:${port}`;

  const api = async <T>(
    path: string,
    init: RequestInit & { token?: string } = {},
  ): Promise<{ status: number; body: T }> => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    const res = await fetch(`${url}${path}`, { ...init, headers });
    const text = await res.text();
    return {
      status: res.status,
      body: (text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as T,
    };
  };
  let n = 0;
  const seen = new Set<string>();
  let admin: string | undefined;
  return {
    url,
    box,
    daemon,
    users,
    api,
    token: async (user) => {
      const r = await api<{ access_token: string }>("/v1/auth/login", { method: "POST", body: JSON.stringify(user) });
      if (r.status !== 200) throw new Error(`login ${user.username}: ${r.status}`);
      return r.body.access_token;
    },
    raiseIntrusion: async () => {
      const jpeg = await readFile(fixturePath("photos", "person.jpg"));
      const before = new Set(daemon.logs.filter((l) => l.rule === "intrusion").map((l) => String(l.incident)));
      const isNew = (l: LogLine): boolean =>
        l.msg === "incident stored" &&
        l.type === "incident.created" &&
        l.rule === "intrusion" &&
        !before.has(String(l.incident));
      for (let i = 0; i < 40 && !daemon.logs.some(isNew); i++) {
        await api(`/v1/ingest/gate/frames`, {
          method: "POST",
          headers: { authorization: `ApiKey ${keys.get("gate") ?? ""}`, "content-type": "image/jpeg" },
          body: jpeg,
        });
        await new Promise((r) => setTimeout(r, 300));
      }
      const stored = await daemon.waitForLog(isNew, 10_000);
      const got = await api<Incident>(`/v1/incidents/${String(stored.incident)}`, { token: await adminToken() });
      return got.body;
    },
    raiseTamper: async (camera = "gate") => {
      const marker = `tamper-${++n}-${Date.now()}`;
      const pushed = await api(`/v1/ingest/${camera}/events`, {
        method: "POST",
        headers: { authorization: `ApiKey ${keys.get(camera) ?? ""}` },
        body: JSON.stringify({ type: "tamper", details: { marker } }),
      });
      if (pushed.status >= 300) throw new Error(`push event: ${pushed.status} ${JSON.stringify(pushed.body)}`);
      const stored = await daemon.waitForLog(
        (l) =>
          l.msg === "incident stored" &&
          l.type === "incident.created" &&
          l.rule === "tamper" &&
          l.camera === camera &&
          !seen.has(String(l.incident)),
        15_000,
      );
      seen.add(String(stored.incident));
      let got = await api<Incident>(`/v1/incidents/${String(stored.incident)}`, {
        token: admin ?? (admin = await adminToken()),
      });
      if (got.status === 401)
        got = await api<Incident>(`/v1/incidents/${String(stored.incident)}`, { token: (admin = await adminToken()) });
      return got.body;
    },
    cleanup: () => box.cleanup(),
  };
  async function adminToken(): Promise<string> {
    const r = await api<{ access_token: string }>("/v1/auth/login", {
      method: "POST",
      body: JSON.stringify(users.admin),
    });
    return r.body.access_token;
  }
}
