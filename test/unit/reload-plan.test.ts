import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { reloadPlan } from "../../src/config/reload-plan.js";
import { createLogger, setLogLevel } from "../../src/core/logger.js";

const base = { site: "hq", gateway: "gw-01", data_dir: "/tmp/d", secrets_dir: "/tmp/s" };

void describe("config reload (SIGHUP)", () => {
  void it("applies the log level and cameras live and names every other change as needing a restart", () => {
    const running = buildConfig(base, {}, "/tmp");
    const next = buildConfig(
      {
        ...base,
        log: { level: "debug" },
        cameras: [{ id: "lobby", url: "rtsp://10.0.0.1/s" }],
        http: { listen: "127.0.0.1:9090" },
      },
      {},
      "/tmp",
    );
    const plan = reloadPlan(running, next);
    assert.equal(plan.logLevel, "debug");
    assert.equal(plan.cameras, true);
    assert.deepEqual(plan.needsRestart, ["http"]);
    assert.deepEqual(reloadPlan(running, buildConfig(base, {}, "/tmp")), {
      logLevel: undefined,
      cameras: false,
      needsRestart: [],
    });
  });

  void it("a camera's zones changing applies the camera live but names the zones as needing a restart", () => {
    const camera = {
      id: "lobby",
      url: "rtsp://10.0.0.1/s",
      zones: [
        {
          id: "door",
          polygon: [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
        },
      ],
    };
    const running = buildConfig({ ...base, cameras: [camera] }, {}, "/tmp");
    const moved = buildConfig(
      {
        ...base,
        cameras: [
          {
            ...camera,
            zones: [
              {
                id: "door",
                polygon: [
                  [0, 0],
                  [0.5, 0],
                  [0.5, 1],
                ],
              },
            ],
          },
        ],
      },
      {},
      "/tmp",
    );
    assert.deepEqual(reloadPlan(running, moved), {
      logLevel: undefined,
      cameras: true,
      needsRestart: ["cameras[].zones"],
    });
    const renamed = buildConfig({ ...base, cameras: [{ ...camera, name: "Lobby" }] }, {}, "/tmp");
    assert.deepEqual(reloadPlan(running, renamed).needsRestart, []);
  });

  void it("a new level reaches loggers made before it, children of children included", () => {
    const lines: string[] = [];
    const root = createLogger({
      level: "info",
      destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
    });
    const grandchild = root.child({ component: "a" }).child({ part: "b" });
    grandchild.debug("hidden");
    setLogLevel(root, "debug");
    grandchild.debug("shown");
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /"msg":"shown"/);
  });
});
