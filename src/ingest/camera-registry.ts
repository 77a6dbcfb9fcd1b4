import { SerialQueue } from "../core/serial-queue.js";
import { Value } from "@sinclair/typebox/value";
import { assertCameraSource, type CameraSourcePolicy } from "../config/camera-source-rules.js";
import type { CameraConfig, ZoneRuleConfig } from "../config/schema.js";
import type { AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import { type Logger, redactUrlCredentials } from "../core/logger.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";
import { type CameraCredentials, managedCredentialsFile } from "./camera-credentials.js";
import type { CameraProber } from "./camera-probe.js";
import type { ProbeInfo } from "./camera-probe-result.js";
import {
  type AddCamera,
  type CameraPatch,
  cameraFromAdd,
  mergeCameras,
  needsProbe,
  patchCamera,
  type RegisteredCamera,
  type StoredCamera,
  StoredCameraSchema,
} from "./camera-registry-rules.js";
import { checkCameraRules, checkCameraZones } from "./camera-zone-rules.js";

/** Who changes a camera: the audit actor (username, `cli:<user>`) and the request's address. */
export interface CameraActor {
  readonly actor: string;
  readonly source?: string | undefined;
}

export interface CameraRegistryDeps {
  readonly database: Database;
  readonly commits: GroupCommit;
  readonly audit: AuditRecorder;
  /** The config file's cameras; they change on SIGHUP. */
  readonly provisioned: () => readonly CameraConfig[];
  /** Runs a camera list: the daemon's CameraManager.apply; nothing offline (the next start does). */
  readonly apply: (cameras: readonly CameraConfig[]) => Promise<unknown>;
  /** Throws (VALIDATION) for a camera the running detector cannot take. */
  readonly accept?: (camera: CameraConfig) => void;
  readonly probe: CameraProber;
  readonly credentials: CameraCredentials;
  /** What a camera's URLs and credentials file may reach (the same rules as the config loader's). */
  readonly sources: CameraSourcePolicy;
  /** Revokes a removed camera's API keys and returns their ids: a later camera with its id must not inherit them. */
  readonly revokeKeys?: (cameraId: string, by: CameraActor) => Promise<string[]>;
  /** Zone rule ids the config file uses: a runtime camera's rule may not take one. */
  readonly configRuleIds?: () => ReadonlySet<string>;
  readonly log: Logger;
  readonly now?: () => number;
}

function oneCredentialSource(input: { credentials?: string | undefined; credentials_file?: string | undefined }): void {
  if (input.credentials !== undefined && input.credentials_file !== undefined) {
    throw new VigilError(ErrorCodes.VALIDATION, "/credentials: give credentials or credentials_file, not both", {
      details: { field: "/credentials" },
    });
  }
}

/**
 * Every camera the daemon knows: the config file's (provisioned, read-only here) merged with those
 * added at runtime, which live in the `cameras` sublevel (fsynced through group commit). A change
 * is checked (schema, unique id, detector input, probe), stored, audited, then applied through
 * CameraManager.apply so only the camera that changed starts, restarts or stops. Changes are
 * serialised so two adds of one id cannot both pass the uniqueness check.
 */
export class CameraRegistry implements Component {
  readonly name = "camera-registry";
  private readonly stored = new Map<string, StoredCamera>();
  private readonly writes = new SerialQueue();

  constructor(private readonly deps: CameraRegistryDeps) {}

  async start(): Promise<void> {
    this.stored.clear();
    for await (const [key, value] of this.deps.database.sublevels.cameras.iterator()) {
      if (!Value.Check(StoredCameraSchema, value) || value.camera.id !== key) {
        this.deps.log.error({ camera: key }, "unreadable stored camera ignored");
        continue;
      }
      this.stored.set(key, value);
    }
    await this.deps.apply(this.runnable());
  }

  async stop(): Promise<void> {
    await this.writes.idle();
  }

  /** Every camera, config ones first. */
  list(): RegisteredCamera[] {
    return mergeCameras(this.deps.provisioned(), [...this.stored.values()]).cameras;
  }

  get(id: string): RegisteredCamera | undefined {
    return this.list().find((c) => c.camera.id === id);
  }

  /** The cameras to run: a stored camera the detector cannot take (the model changed) is left out, loudly. */
  runnable(): CameraConfig[] {
    const { cameras, shadowed } = mergeCameras(this.deps.provisioned(), [...this.stored.values()]);
    for (const id of shadowed)
      this.deps.log.warn(
        { camera: id },
        "a camera added at runtime has the id of a config camera; the config one runs (remove one of them)",
      );
    return cameras.flatMap((c) => {
      if (c.origin !== "runtime") return [c.camera];
      try {
        // Stored before these rules existed, or under a looser ingest.allow_file_urls: not run.
        assertCameraSource(c.camera, this.deps.sources);
      } catch (err) {
        this.deps.log.error(
          { camera: c.camera.id, err },
          "stored camera not started: its source is refused (change it with PATCH /v1/cameras/:id or remove it)",
        );
        return [];
      }
      try {
        this.deps.accept?.(c.camera);
      } catch (err) {
        this.deps.log.error({ camera: c.camera.id, err }, "stored camera not started: the detector cannot take it");
        return [];
      }
      return [c.camera];
    });
  }

  /** Runs the list again through `run` (SIGHUP changed the config cameras), in turn with API changes. */
  reapply<T>(run: (cameras: CameraConfig[]) => Promise<T>): Promise<T> {
    return this.exclusive(() => run(this.runnable()));
  }

  add(input: AddCamera, by: CameraActor): Promise<RegisteredCamera> {
    return this.exclusive(async () => {
      oneCredentialSource(input);
      assertCameraSource(input, this.deps.sources);
      const camera = cameraFromAdd(input);
      checkCameraZones(camera, []);
      const existing = this.get(camera.id);
      if (existing)
        throw new VigilError(
          ErrorCodes.ALREADY_EXISTS,
          `camera ${camera.id} exists already${existing.origin === "config" ? " (in the config file)" : ""}`,
        );
      this.deps.accept?.(camera);
      const credentials = input.credentials ?? (await this.readCredentials(camera.credentials_file));
      const probe =
        input.probe !== false && camera.url !== undefined ? await this.deps.probe(camera.url, credentials) : null;
      if (input.credentials !== undefined)
        camera.credentials_file = await this.deps.credentials.write(camera.id, input.credentials);
      // camera-<id>.cred is Vigil's own name (written here, or by `vigil camera add` as the installer).
      const managed = camera.credentials_file === managedCredentialsFile(camera.id);
      const at = this.timestamp();
      const record: StoredCamera = {
        camera,
        probe,
        credentials_managed: managed,
        added_at: at,
        added_by: by.actor,
        updated_at: at,
        updated_by: by.actor,
      };
      await this.put(record);
      try {
        await this.record(by, "camera.add", camera.id, {
          url: camera.url === undefined ? null : redactUrlCredentials(camera.url),
          enabled: camera.enabled,
          credentials: input.credentials !== undefined ? "inline" : camera.credentials_file ? "file" : "none",
          probe: probe ?? "skipped",
        });
      } catch (err) {
        await this.forget(record).catch(() => undefined);
        throw err;
      }
      await this.deps.apply(this.runnable());
      return { camera, origin: "runtime", probe };
    });
  }

  update(id: string, patch: CameraPatch, by: CameraActor): Promise<RegisteredCamera> {
    return this.exclusive(async () => {
      const current = this.runtimeCamera(id);
      oneCredentialSource(patch);
      assertCameraSource(patch, this.deps.sources);
      const camera = patchCamera(current.camera, patch);
      assertCameraSource(camera, this.deps.sources);
      checkCameraZones(camera, current.rules ?? []);
      this.deps.accept?.(camera);
      let probe: ProbeInfo | null = current.probe;
      if (camera.url === undefined) probe = null;
      else if (needsProbe(current.camera, patch) || patch.probe === true) {
        probe = await this.deps.probe(
          camera.url,
          patch.credentials ?? (await this.readCredentials(camera.credentials_file)),
        );
      }
      let managed = current.credentials_managed;
      if (patch.credentials !== undefined) {
        camera.credentials_file = await this.deps.credentials.write(id, patch.credentials);
        managed = true;
      } else if (patch.credentials_file !== undefined && patch.credentials_file !== current.camera.credentials_file) {
        managed = patch.credentials_file === managedCredentialsFile(id);
      }
      const record: StoredCamera = {
        ...current,
        camera,
        probe,
        credentials_managed: managed,
        updated_at: this.timestamp(),
        updated_by: by.actor,
      };
      await this.put(record);
      if (current.credentials_managed && !managed && current.camera.credentials_file)
        await this.deps.credentials.remove(current.camera.credentials_file);
      const fields = Object.keys(patch).filter((k) => k !== "probe");
      await this.record(by, "camera.update", id, {
        fields,
        enabled: camera.enabled,
        ...(probe !== current.probe ? { probe } : {}),
      });
      await this.deps.apply(this.runnable());
      return { camera, origin: "runtime", probe, rules: record.rules ?? [] };
    });
  }

  /** Reads a stream's codec, size and fps without adding anything (the console's "probe" before saving). */
  probe(url: string, credentials: string | undefined): Promise<ProbeInfo> {
    assertCameraSource({ url }, this.deps.sources);
    return this.deps.probe(url, credentials);
  }

  /**
   * Replaces a runtime camera's zone rules (`PUT /v1/cameras/:id/rules`): checked as the config's
   * `rules.zones` are, stored, audited, then applied; the camera's stream is not restarted.
   */
  setRules(id: string, rules: readonly ZoneRuleConfig[], by: CameraActor): Promise<RegisteredCamera> {
    return this.exclusive(async () => {
      const current = this.runtimeCamera(id);
      const taken = new Set(this.deps.configRuleIds?.() ?? []);
      for (const s of this.stored.values()) if (s.camera.id !== id) for (const r of s.rules ?? []) taken.add(r.id);
      checkCameraRules(current.camera, rules, taken);
      const record: StoredCamera = {
        ...current,
        rules: [...rules],
        updated_at: this.timestamp(),
        updated_by: by.actor,
      };
      await this.put(record);
      await this.record(by, "camera.rules", id, {
        rules: rules.map((r) => ({ id: r.id, kind: r.kind, zone: r.zone, enabled: r.enabled })),
      });
      await this.deps.apply(this.runnable());
      return { camera: current.camera, origin: "runtime", probe: current.probe, rules: record.rules ?? [] };
    });
  }

  remove(id: string, by: CameraActor): Promise<{ camera: CameraConfig; revoked_keys: string[] }> {
    return this.exclusive(async () => {
      const current = this.runtimeCamera(id);
      await this.forget(current);
      await this.deps.apply(this.runnable());
      const revoked = (await this.deps.revokeKeys?.(id, by)) ?? [];
      await this.record(by, "camera.remove", id, {
        url: current.camera.url === undefined ? null : redactUrlCredentials(current.camera.url),
        revoked_keys: revoked,
      });
      return { camera: current.camera, revoked_keys: revoked };
    });
  }

  private runtimeCamera(id: string): StoredCamera {
    const known = this.get(id);
    if (!known) throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera ${id}`);
    const stored = this.stored.get(id);
    if (known.origin === "config" || !stored) {
      throw new VigilError(
        ErrorCodes.CAMERA_PROVISIONED,
        `camera ${id} is in the config file: change or remove it there and reload (systemctl reload vigil)`,
      );
    }
    return stored;
  }

  private async readCredentials(file: string | undefined): Promise<string | undefined> {
    try {
      return await this.deps.credentials.read(file);
    } catch (err) {
      if (!isVigilError(err, ErrorCodes.SECRET_MISSING)) throw err;
      throw new VigilError(ErrorCodes.VALIDATION, `/credentials_file: ${err.message}`, {
        details: { field: "/credentials_file" },
      });
    }
  }

  private async put(record: StoredCamera): Promise<void> {
    await this.deps.commits.commit([
      { type: "put", sublevel: this.deps.database.sublevels.cameras, key: record.camera.id, value: record },
    ]);
    this.stored.set(record.camera.id, record);
  }

  private async forget(record: StoredCamera): Promise<void> {
    await this.deps.commits.commit([
      { type: "del", sublevel: this.deps.database.sublevels.cameras, key: record.camera.id },
    ]);
    this.stored.delete(record.camera.id);
    if (record.credentials_managed && record.camera.credentials_file)
      await this.deps.credentials.remove(record.camera.credentials_file);
  }

  private async record(by: CameraActor, action: string, id: string, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.record({
      actor: by.actor,
      source: by.source,
      action,
      target: `camera:${id}`,
      result: "ok",
      details,
    });
  }

  private timestamp(): string {
    return new Date((this.deps.now ?? Date.now)()).toISOString();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(work);
  }
}
