import { Value } from "@sinclair/typebox/value";
import type { AuditRecorder } from "../../contract/audit.js";
import { CAMERA_SCOPES } from "../../contract/roles.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import { generateApiKey, isKeyId, type RandomSource } from "./api-key-format.js";
import { type ApiKeyRecord, type PublicApiKey, publicView } from "./api-key-record.js";
import { type CreateKeyArgs, CreateKeyArgsSchema, DEFAULT_KEY_LIMITS } from "./api-key-schemas.js";
import type { ApiKeyStore } from "./api-key-store.js";
import { formatCidr, parseCidr } from "./source-allowlist.js";

export interface ApiKeyServiceDeps {
  readonly store: ApiKeyStore;
  readonly audit: AuditRecorder;
  /** Whether a camera with this id is configured. */
  readonly cameraExists: (cameraId: string) => boolean | Promise<boolean>;
  readonly now?: () => number;
  readonly random?: RandomSource;
}

/** Who asks: the audit actor (username, `cli:<user>`, `central`) and the request's address. */
export interface KeyActor {
  readonly actor: string;
  readonly source?: string | undefined;
}

/** The one time the plaintext key exists outside the camera: returned by create, never again. */
export interface CreatedApiKey {
  readonly key: string;
  readonly api_key: PublicApiKey;
}

export interface RevokedApiKey {
  readonly api_key: PublicApiKey;
  /** True when the key was already revoked and nothing changed. */
  readonly already_revoked: boolean;
}

const DAY_MS = 86_400_000;

function invalid(field: string, message: string): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, `${field}: ${message}`, { details: { field } });
}

function checkShape(input: unknown): asserts input is CreateKeyArgs {
  const first = Value.Errors(CreateKeyArgsSchema, input).First();
  if (first) throw invalid(first.path || "/", first.message);
}

function normaliseCidrs(texts: readonly string[]): string[] {
  return texts.map((text, i) => {
    const cidr = parseCidr(text);
    if (!cidr) throw invalid(`/allowed_cidrs/${i}`, `"${text}" is not an IPv4 or IPv6 address or CIDR`);
    return formatCidr(cidr);
  });
}

/**
 * Creating, listing and revoking camera API keys: the one path for HTTP, admin socket and CLI.
 * Each change is durable and then audited before it is reported done; a creation that cannot be
 * audited is taken back, since nobody has seen its key yet.
 */
export class ApiKeyService {
  private readonly now: () => number;

  constructor(private readonly deps: ApiKeyServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(input: CreateKeyArgs, by: KeyActor): Promise<CreatedApiKey> {
    checkShape(input);
    const allowed = normaliseCidrs(input.allowed_cidrs ?? []);
    if (!(await this.deps.cameraExists(input.camera_id)))
      throw new VigilError(ErrorCodes.CAMERA_UNKNOWN, `no camera "${input.camera_id}"`);
    const now = this.now();
    const generated = generateApiKey(this.deps.random);
    const record: ApiKeyRecord = {
      key_id: generated.keyId,
      camera_id: input.camera_id,
      digest: generated.digest,
      // Stored in the canonical order so that equal grants look equal.
      scopes: CAMERA_SCOPES.filter((s) => (input.scopes ?? CAMERA_SCOPES).includes(s)),
      status: "active",
      ...(input.label === undefined ? {} : { label: input.label }),
      created_at: new Date(now).toISOString(),
      created_by: by.actor,
      expires_at:
        input.expires_in_days === undefined ? null : new Date(now + input.expires_in_days * DAY_MS).toISOString(),
      allowed_cidrs: [...new Set(allowed)],
      limits: {
        per_minute: input.per_minute ?? DEFAULT_KEY_LIMITS.per_minute,
        per_hour: input.per_hour ?? DEFAULT_KEY_LIMITS.per_hour,
      },
      usage_count: 0,
      last_used_at: null,
      last_used_from: null,
      revoked_at: null,
      revoked_by: null,
    };
    await this.deps.store.insert(record);
    try {
      await this.deps.audit.record({
        actor: by.actor,
        source: by.source,
        action: "key.created",
        target: `key:${record.key_id}`,
        result: "ok",
        details: { camera_id: record.camera_id, scopes: record.scopes },
      });
    } catch (err) {
      await this.deps.store.remove(record.key_id).catch(() => undefined);
      throw err;
    }
    return { key: generated.plaintext, api_key: publicView(record) };
  }

  /** Every key, or one camera's, without digests; revoked keys included. No camera check: keys outlive cameras. */
  list(cameraId?: string): PublicApiKey[] {
    return this.deps.store.list(cameraId).map(publicView);
  }

  get(keyId: string): PublicApiKey {
    const record = isKeyId(keyId) ? this.deps.store.get(keyId) : undefined;
    if (!record) throw new VigilError(ErrorCodes.NOT_FOUND, `no api key ${keyId}`);
    return publicView(record);
  }

  /**
   * Unknown key: NOT_FOUND. Revoking twice is idempotent: the second call changes nothing and
   * reports `already_revoked`, but is audited too, so a retry after a failed audit write still
   * leaves the revocation in the trail.
   */
  async revoke(keyId: string, by: KeyActor): Promise<RevokedApiKey> {
    if (!isKeyId(keyId)) throw new VigilError(ErrorCodes.NOT_FOUND, "no api key with that id");
    const { record, changed } = await this.deps.store.revoke(keyId, by.actor, this.now());
    await this.deps.audit.record({
      actor: by.actor,
      source: by.source,
      action: "key.revoked",
      target: `key:${keyId}`,
      result: "ok",
      details: { camera_id: record.camera_id, scopes: record.scopes, ...(changed ? {} : { already_revoked: true }) },
    });
    return { api_key: publicView(record), already_revoked: !changed };
  }
}
