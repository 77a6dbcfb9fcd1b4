import type { CameraConfig } from "../config/schema.js";
import { readSecretFile } from "../config/secrets.js";
import type { Frame } from "../contract/detection.js";
import type { Component } from "../core/lifecycle.js";
import type { BackoffPolicy } from "../core/backoff.js";
import type { Logger } from "../core/logger.js";
import { type CameraChanges, cameraChanges } from "./camera-changes.js";
import { CameraSupervisor, type CameraState } from "./camera-supervisor.js";
import type { RecordingOutput } from "./ffmpeg-args.js";

export interface CameraManagerOptions {
  readonly cameras: readonly CameraConfig[];
  readonly stallTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly socketTimeoutS: number;
  /** Where camera credentials files are looked for, in order. */
  readonly secretsDir: string | readonly string[];
  readonly onFrame: (frame: Frame) => void;
  readonly onStateChange?: (cameraId: string, state: CameraState) => void;
  /** Receives each camera's JPEG snapshots (main stream); without it ffmpeg encodes none. */
  readonly onSnapshot?: (cameraId: string, jpeg: Buffer, capturedAt: number) => void;
  /** Where a camera's run records its ring (recording/recording-ring.ts); undefined: none. */
  readonly recording?: (cameraId: string) => Promise<RecordingOutput | undefined>;
  readonly backoff?: BackoffPolicy;
}

/**
 * Owns one supervisor per configured camera; a camera's failure stays inside its supervisor. The
 * camera list can change while running (SIGHUP): only the cameras added, removed or changed are
 * touched, the others keep streaming.
 */
export class CameraManager implements Component {
  readonly name = "cameras";
  private readonly running = new Map<string, { config: CameraConfig; supervisor: CameraSupervisor }>();
  private started = false;

  constructor(
    private readonly options: CameraManagerOptions,
    private readonly log: Logger,
  ) {
    for (const camera of options.cameras)
      this.running.set(camera.id, { config: camera, supervisor: this.supervise(camera) });
  }

  get supervisors(): ReadonlyMap<string, CameraSupervisor> {
    return new Map([...this.running].map(([id, r]) => [id, r.supervisor]));
  }

  /** One camera's supervisor, without building the whole map. */
  supervisor(id: string): CameraSupervisor | undefined {
    return this.running.get(id)?.supervisor;
  }

  /** The cameras as currently configured (after any reload). */
  get cameras(): CameraConfig[] {
    return [...this.running.values()].map((r) => r.config);
  }

  async start(): Promise<void> {
    this.started = true;
    for (const { supervisor } of this.running.values()) supervisor.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.running.values()].map((r) => r.supervisor.stop()));
  }

  /** Moves to a new camera list, touching only the cameras that differ. */
  async apply(next: readonly CameraConfig[]): Promise<CameraChanges> {
    const changes = cameraChanges(this.cameras, next);
    const leaving = [...changes.removed, ...changes.changed.map((c) => c.id)];
    await Promise.all(leaving.flatMap((id) => this.running.get(id)?.supervisor.stop() ?? []));
    for (const id of leaving) this.running.delete(id);
    // A removed camera is not an outage: tell the fault monitor it is gone, not down.
    for (const id of changes.removed) this.options.onStateChange?.(id, "disabled");
    for (const camera of [...changes.added, ...changes.changed]) {
      const supervisor = this.supervise(camera);
      this.running.set(camera.id, { config: camera, supervisor });
      if (this.started) supervisor.start();
    }
    return changes;
  }

  private supervise(camera: CameraConfig): CameraSupervisor {
    const o = this.options;
    return new CameraSupervisor({
      camera,
      stallTimeoutMs: o.stallTimeoutMs,
      startTimeoutMs: o.startTimeoutMs,
      socketTimeoutS: o.socketTimeoutS,
      readCredentials: async () =>
        camera.credentials_file ? readSecretFile(o.secretsDir, camera.credentials_file) : undefined,
      onFrame: o.onFrame,
      ...(o.onStateChange ? { onStateChange: o.onStateChange } : {}),
      ...(o.onSnapshot ? { onSnapshot: o.onSnapshot } : {}),
      ...(o.recording ? { recording: o.recording } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      log: this.log,
    });
  }

  /** Restarts the ffmpeg of the cameras `which` picks (their argv changed: recording on or off). */
  relaunch(which: (cameraId: string) => boolean, reason: string): void {
    for (const [id, r] of this.running) if (which(id)) r.supervisor.relaunch(reason);
  }

  /** Enabled cameras that have not delivered a frame yet (readiness). */
  notYetStarted(): string[] {
    return [...this.running.values()]
      .map((r) => r.supervisor)
      .filter((s) => s.state !== "disabled" && !s.startedOnce)
      .map((s) => s.id);
  }
}
