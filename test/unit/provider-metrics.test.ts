import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VigilEvents } from "../../src/contract/events.js";
import { EventBus } from "../../src/core/event-bus.js";
import { createMetrics } from "../../src/health/metrics.js";
import type { ProviderStatus } from "../../src/inference/providers/provider-chain.js";
import type { OutboxStats } from "../../src/store/outbox.js";

const OUTBOX: OutboxStats = {
  policy: "shed-alerts-then-refuse-incidents",
  max_bytes: 1000,
  used_bytes: 0,
  audit_max_bytes: null,
  audit_over_budget: false,
  bytes: { incidents: 0, audit: 0, alerts: 0 },
  depth: { incidents: 0, audit: 0, alerts: 0 },
  oldest_age_s: { incidents: null, audit: null, alerts: null },
  dropped_alerts: 0,
  expired: 0,
  refused: 0,
};

function provider(id: string, state: ProviderStatus["state"], loaded: boolean, failures: number): ProviderStatus {
  return {
    id,
    backend: id,
    model: "nanodet-g-416",
    state,
    loaded,
    runs: 9,
    failures,
    failures_in_window: failures,
    consecutive_failures: failures,
    ewma_ms: 25,
    last_ms: 25,
    load_ms: 100,
    warmup_ms: 50,
    last_error: null,
    last_error_at: null,
    down_until: null,
  };
}

void describe("provider metrics", () => {
  void it("exports up, state and failures per provider, and labels inference time with the provider that ran it", async () => {
    const bus = new EventBus<VigilEvents>(() => {});
    const providers = [provider("cuda", "unhealthy", false, 5), provider("cpu", "degraded", true, 3)];
    const m = createMetrics({
      cameras: { supervisors: new Map() },
      scheduler: { stats: () => ({ analysed: 0, skipped: 0 }) },
      uplink: undefined,
      publisher: undefined,
      outbox: { stats: OUTBOX },
      bus,
      model: "nanodet-g-416",
      providers: () => providers,
    });
    bus.emit("detections", {
      cameraId: "cam",
      frameIndex: 1,
      capturedAt: 0,
      detections: [],
      inferenceMs: 30,
      provider: "cpu",
    });
    const text = await m.registry.metrics();
    m.stop();
    assert.match(text, /^vigil_provider_up\{provider="cuda",model="nanodet-g-416"\} 0$/m);
    assert.match(text, /^vigil_provider_up\{provider="cpu",model="nanodet-g-416"\} 1$/m);
    assert.match(text, /^vigil_provider_state\{provider="cpu",model="nanodet-g-416",state="degraded"\} 1$/m);
    assert.match(text, /^vigil_provider_state\{provider="cpu",model="nanodet-g-416",state="healthy"\} 0$/m);
    assert.match(text, /^vigil_provider_failures_total\{provider="cuda",model="nanodet-g-416"\} 5$/m);
    assert.match(text, /^vigil_detector_inference_seconds_count\{provider="cpu",model="nanodet-g-416"\} 1$/m);
  });
});
