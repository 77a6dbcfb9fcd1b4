import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { OutputTensor } from "../decoders/types.js";
import {
  DEFAULT_PROVIDER_POLICY,
  failuresInWindow,
  type HealthStep,
  INITIAL_PROVIDER_HEALTH,
  isEligible,
  type ProviderHealth,
  type ProviderHealthPolicy,
  type ProviderState,
  recordFailure,
  recordSuccess,
  recordUnavailable,
} from "./provider-health.js";
import { type ProviderSpec, ProviderSession, type SessionModel } from "./provider-session.js";

export interface ProviderChange {
  readonly provider: string;
  readonly backend: string;
  readonly model: string;
  readonly from: ProviderState;
  readonly to: ProviderState;
  readonly error: string | undefined;
  readonly at: number;
}

export interface ProviderChainOptions {
  readonly modelId: string;
  readonly providers: readonly ProviderSpec[];
  readonly deadlineMs: number;
  readonly policy?: ProviderHealthPolicy;
  readonly onChange?: (change: ProviderChange) => void;
  readonly now?: () => number;
}

/** One provider's state and figures, as `GET /v1/providers` and the health document show them. */
export interface ProviderStatus {
  readonly id: string;
  readonly backend: string;
  readonly model: string;
  readonly state: ProviderState;
  readonly loaded: boolean;
  readonly runs: number;
  readonly failures: number;
  readonly failures_in_window: number;
  readonly consecutive_failures: number;
  readonly ewma_ms: number | null;
  readonly last_ms: number | null;
  readonly load_ms: number | null;
  readonly warmup_ms: number | null;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
  readonly down_until: string | null;
}

interface Slot {
  readonly session: ProviderSession;
  health: ProviderHealth;
  reloading: Promise<void> | undefined;
}

/** Frames a chain can hold at once: one running, one waiting in the worker behind it. */
export const FRAME_SLOTS = 2;

const round2 = (n: number | undefined): number | null => (n === undefined ? null : Math.round(n * 100) / 100);
const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

/**
 * A model loaded on every configured provider, used in priority order. onnxruntime-node does not
 * fall back by itself (a session asking for CUDA without its libraries just fails), so the chain
 * does: a provider whose session will not load, fails a run or misses the deadline is charged a
 * failure and the frame goes to the next one. Health per provider follows `provider-health.ts`;
 * an unloaded provider whose cool-down has passed is reloaded in the background, not on a frame's time.
 */
export class ProviderChain {
  /**
   * Frame slots: the caller writes an rgb24 frame into a free one and runs it; every provider
   * reads it from there. Two, so one frame can wait in the worker while the other runs.
   */
  readonly frames: readonly Uint8Array[];
  private readonly slots: Slot[];
  private readonly policy: ProviderHealthPolicy;
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly options: ProviderChainOptions,
    model: SessionModel,
    private readonly log: Logger,
  ) {
    if (options.providers.length === 0)
      throw new VigilError(ErrorCodes.CONFIG_INVALID, "detector.providers: at least one provider is needed");
    const ids = options.providers.map((p) => p.id);
    if (new Set(ids).size !== ids.length)
      throw new VigilError(ErrorCodes.CONFIG_INVALID, `detector.providers: duplicate provider in ${ids.join(", ")}`);
    // One byte per tensor value: the model takes one 3-channel image (ModelDetector checks).
    const shared = Array.from(
      { length: FRAME_SLOTS },
      () => new SharedArrayBuffer(model.inputShape.reduce((a, b) => a * b, 1)),
    );
    this.frames = shared.map((b) => new Uint8Array(b));
    this.slots = options.providers.map((spec) => ({
      session: new ProviderSession(spec, model, shared),
      health: INITIAL_PROVIDER_HEALTH,
      reloading: undefined,
    }));
    this.policy = options.policy ?? DEFAULT_PROVIDER_POLICY;
    this.now = options.now ?? Date.now;
  }

  /** Loads (and warms up) the model on each provider in turn; one that fails is marked unhealthy, never thrown. */
  async load(): Promise<void> {
    for (const slot of this.slots) await this.loadSlot(slot);
  }

  /** At least one provider can take work. */
  get loaded(): boolean {
    return this.slots.some((s) => s.session.loaded);
  }

  /** The provider the next frame would go to, if any. */
  get active(): string | undefined {
    const now = this.now();
    return this.slots.find((s) => s.session.loaded && isEligible(s.health, now))?.session.spec.id;
  }

  /** One inference on the frame in slot `frame`, on the first provider that can do it. */
  async run(frame: number): Promise<{ outputs: OutputTensor[]; provider: string; ms: number }> {
    const errors: string[] = [];
    let firstCode: VigilError["code"] | undefined;
    for (const slot of this.slots) {
      const now = this.now();
      if (this.closed || !isEligible(slot.health, now)) continue;
      // A provider still on an overdue run is tried anyway: the refusal counts as one more failure,
      // so a provider stuck for good goes unhealthy instead of being skipped forever.
      if (!slot.session.loaded) {
        if (!slot.session.loading && !slot.reloading)
          slot.reloading = this.loadSlot(slot).finally(() => (slot.reloading = undefined));
        continue;
      }
      try {
        const r = await slot.session.run(slot.session.spec.deadlineMs ?? this.options.deadlineMs, frame);
        this.apply(slot, recordSuccess(slot.health, this.policy, this.now(), r.ms));
        return { outputs: r.outputs, provider: slot.session.spec.id, ms: r.ms };
      } catch (err) {
        const message = (err as Error).message;
        errors.push(message);
        firstCode ??= err instanceof VigilError ? err.code : ErrorCodes.INFERENCE_FAILED;
        this.apply(slot, recordFailure(slot.health, this.policy, this.now(), message));
      }
    }
    if (errors.length === 0)
      throw new VigilError(ErrorCodes.NO_PROVIDER, `no provider can run model ${this.options.modelId} now`, {
        details: { providers: this.status() },
      });
    throw new VigilError(firstCode ?? ErrorCodes.INFERENCE_FAILED, `every provider failed: ${errors.join("; ")}`);
  }

  status(): ProviderStatus[] {
    const now = this.now();
    return this.slots.map(({ session, health: h }) => ({
      id: session.spec.id,
      backend: session.spec.backend,
      model: this.options.modelId,
      state: h.state,
      loaded: session.loaded,
      runs: h.runs,
      failures: h.failures,
      failures_in_window: failuresInWindow(h, this.policy, now),
      consecutive_failures: h.consecutiveFailures,
      ewma_ms: round2(h.ewmaMs),
      last_ms: round2(h.lastMs),
      load_ms: round2(session.loadMs),
      warmup_ms: round2(session.warmupMs),
      last_error: h.lastError ?? null,
      last_error_at: iso(h.lastErrorAt),
      down_until: h.state === "unhealthy" ? iso(h.downUntil) : null,
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map(async (s) => s.reloading));
    await Promise.all(this.slots.map((s) => s.session.close()));
  }

  private async loadSlot(slot: Slot): Promise<void> {
    if (this.closed) return;
    const { id, backend } = slot.session.spec;
    try {
      await slot.session.load();
      this.log.info(
        {
          provider: id,
          backend,
          model: this.options.modelId,
          loadMs: round2(slot.session.loadMs),
          warmupMs: round2(slot.session.warmupMs),
        },
        "provider loaded",
      );
    } catch (err) {
      this.log.warn(
        { provider: id, backend, model: this.options.modelId, err: (err as Error).message },
        "provider could not load the model",
      );
      this.apply(slot, recordUnavailable(slot.health, this.policy, this.now(), (err as Error).message));
    }
  }

  private apply(slot: Slot, step: HealthStep): void {
    slot.health = step.health;
    if (!step.change) return;
    const { id, backend } = slot.session.spec;
    const change: ProviderChange = {
      provider: id,
      backend,
      model: this.options.modelId,
      ...step.change,
      error: step.health.lastError,
      at: this.now(),
    };
    const fields = {
      provider: id,
      backend,
      model: this.options.modelId,
      from: change.from,
      to: change.to,
      lastError: change.error,
    };
    if (change.to === "healthy") this.log.info(fields, "provider recovered");
    else this.log.warn(fields, `provider ${change.to}`);
    this.options.onChange?.(change);
  }
}
