import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderHealth } from "../../src/cli/health-view.js";
import { mountFor, systemReasons, type SystemSample } from "../../src/health/system-sample.js";

const sample = (freePercent: number): SystemSample => ({
  sampled_at: "2026-11-22T10:00:00.000Z",
  sample_ms: 40,
  cpu: { cores: 2, load_percent: 12.5, load_average: [0.5, 0.4, 0.3] },
  memory: {
    total_bytes: 8 << 30,
    available_bytes: 6 << 30,
    process_rss_bytes: 200 << 20,
    process_heap_used_bytes: 50 << 20,
  },
  disk: {
    path: "/var/lib/vigil",
    mount: "/var",
    total_bytes: 100 << 30,
    free_bytes: 5 << 30,
    free_percent: freePercent,
  },
  store_bytes: 12 << 20,
  temperatures: { cpu_main_c: null, cpu_max_c: null },
  gpus: [],
  errors: [],
});

void describe("box figures in health", () => {
  void it("finds the volume holding the data directory: the longest mount prefix, not a name prefix", () => {
    const mounts = [{ mount: "/" }, { mount: "/var" }, { mount: "/var/lib/vigil-other" }];
    assert.equal(mountFor("/var/lib/vigil", mounts)?.mount, "/var");
    assert.equal(mountFor("/srv/data", mounts)?.mount, "/");
    assert.equal(mountFor("/var", mounts)?.mount, "/var");
  });

  void it("a nearly full data volume is a reason; a roomy one is not", () => {
    assert.deepEqual(systemReasons(sample(50), 10), []);
    assert.match(systemReasons(sample(4.2), 10)[0] ?? "", /data volume \/var has 4\.2% free/);
    assert.deepEqual(systemReasons(undefined, 10), []);
  });

  void it("renders status, reasons, cameras, outbox and system for a terminal, coloured only when asked", () => {
    const doc = {
      status: "degraded",
      reasons: ["camera yard is backoff"],
      version: "0.1.0",
      uptime_s: 42,
      cameras: {
        yard: {
          state: "backoff",
          frames_decoded: 0,
          frames_analysed: 0,
          frames_skipped: 0,
          restarts: 3,
          stalls: 0,
          last_frame_at: null,
        },
      },
      detector: { model: "blazeface-back-256", provider: "cpu", runs: 0, mean_ms: null },
      uplink: null,
      outbox: {
        used_bytes: 2048,
        max_bytes: 268435456,
        depth: { incidents: 0, audit: 3, alerts: 0 },
        oldest_age_s: { incidents: null, audit: 12, alerts: null },
      },
      system: sample(40),
      certificates: [{ name: "lobby", kind: "camera", not_after: "2026-12-01T00:00:00Z", status: "expiring" }],
    };
    const plain = renderHealth(doc, false);
    assert.match(plain, /^DEGRADED {2}vigil 0\.1\.0, up 42 s/);
    assert.match(plain, /- camera yard is backoff/);
    assert.match(plain, /yard +backoff/);
    assert.match(plain, /audit 3 \(oldest 12 s\)/);
    assert.match(plain, /UPLINK +none configured/);
    assert.match(plain, /expiring lobby \(camera\)/);
    assert.doesNotMatch(plain, /\x1b\[/);
    assert.match(renderHealth(doc, true), /\x1b\[33mDEGRADED/);
  });
});
