import type { CameraConfig } from "../config/schema.js";
import { readSecretFile } from "../config/secrets.js";
import type { Frame } from "../contract/detection.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { CameraSupervisor, type CameraState } from "./camera-supervisor.js";

export interface CameraManagerOptions {
  readonly cameras: readonly CameraConfig[];
  readonly width: number;
  readonly height: number;
  readonly stallTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly socketTimeoutS: number;
  /** Where camera credentials files are looked for, in order. */
  readonly secretsDir: string | readonly string[];
  readonly onFrame: (frame: Frame) => void;
  readonly onStateChange?: (cameraId: string, state: CameraState) => void;
}

/** Owns one supervisor per configured camera; a camera's failure stays inside its supervisor. */
export class CameraManager implements Component {
  readonly name = "cameras";
  readonly supervisors: ReadonlyMap<string, CameraSupervisor>;

  constructor(options: CameraManagerOptions, log: Logger) {
    this.supervisors = new Map(
      options.cameras.map((camera) => [
        camera.id,
        new CameraSupervisor({
          camera,
          width: options.width,
          height: options.height,
          stallTimeoutMs: options.stallTimeoutMs,
          startTimeoutMs: options.startTimeoutMs,
          socketTimeoutS: options.socketTimeoutS,
          readCredentials: async () => (camera.credentials_file ? readSecretFile(options.secretsDir, camera.credentials_file) : undefined),
          onFrame: options.onFrame,
          ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
          log,
        }),
      ]),
    );
  }

  async start(): Promise<void> {
    for (const supervisor of this.supervisors.values()) supervisor.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.stop()));
  }

  /** Enabled cameras that have not delivered a frame yet (readiness). */
  notYetStarted(): string[] {
    return [...this.supervisors.values()].filter((s) => s.state !== "disabled" && !s.startedOnce).map((s) => s.id);
  }
}
