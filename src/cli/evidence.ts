import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { JWK } from "jose";
import { checkpointPublicJwk } from "../audit/checkpoint.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import { readSecretFile, secretsSearchPath } from "../config/secrets.js";
import { ErrorCodes, ExitCodes, VigilError } from "../core/errors.js";
import type { ExportedFile } from "../incidents/evidence/evidence-admin-ops.js";
import { type EvidenceVerifyResult, verifyEvidencePack } from "../incidents/evidence/verify.js";
import { adminCall, type OfflineAdmin } from "./admin-client.js";
import { CHECKPOINT_SECRET } from "./audit.js";
import { openOfflineAdmin } from "./offline-admin.js";
import { CONFIG_HELP, emit, fail } from "./output.js";
import { pathExists } from "../core/fs-exists.js";

interface ExportOptions {
  config?: string;
  /** commander's `--no-clips`: false when given. */
  clips?: boolean;
  json?: boolean;
  output?: string;
}

interface VerifyOptions {
  config?: string;
  json?: boolean;
  pubkey?: string;
}

/** `vigil evidence export <id>`: the pack is built where the store is; the file is never replaced. */
async function exportPack(id: string, opts: ExportOptions, offline: OfflineAdmin): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    // Absolute, because with a running daemon the daemon writes it from its own working directory.
    const path = resolve(opts.output ?? `vigil-evidence-${id}.zip`);
    if (await pathExists(path))
      throw new VigilError(
        ErrorCodes.ALREADY_EXISTS,
        `${path} already exists; an evidence pack never replaces a file`,
        { details: { field: "path" } },
      );
    const written = await adminCall<ExportedFile>(
      config,
      offline,
      "evidence.export",
      { id, path, ...(opts.clips === false ? { clips: false } : {}) },
      { timeoutMs: 5 * 60_000 },
    );
    emit(
      json,
      written,
      () =>
        `evidence pack written: ${written.path} (incident ${written.incident.id} v${written.incident.version}, ${written.files} files, ${written.bytes} bytes, manifest sha256 ${written.manifest_sha256})`,
    );
  } catch (err) {
    fail(err, json);
  }
}

/** The key to verify with: a JWK file, or this box's own checkpoint key (as `vigil audit pubkey`). */
async function publicKey(opts: VerifyOptions): Promise<JWK> {
  if (opts.pubkey !== undefined) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(await readFile(opts.pubkey, "utf8"));
    } catch (err) {
      throw new VigilError(
        ErrorCodes.VALIDATION,
        `${opts.pubkey} is not a readable JWK file: ${(err as Error).message}`,
        { cause: err, details: { field: "pubkey" } },
      );
    }
    if (typeof jwk !== "object" || jwk === null || (jwk as JWK).kty !== "OKP")
      throw new VigilError(ErrorCodes.VALIDATION, `${opts.pubkey} does not hold an Ed25519 (OKP) public JWK`, {
        details: { field: "pubkey" },
      });
    return jwk;
  }
  const config = await loadConfig(configPathFrom(opts.config, process.env));
  return checkpointPublicJwk(
    await readSecretFile(secretsSearchPath(config.secrets_dir, process.env), CHECKPOINT_SECRET),
  );
}

function describe(file: string, r: EvidenceVerifyResult): string {
  const what = r.incident ? `incident ${r.incident.id} v${r.incident.version}` : "unknown incident";
  if (r.ok) return `ok: ${file} (${what}), signature and ${r.files} files verify`;
  return [
    `INVALID: ${file} (${what}), ${r.problems.length} problem(s):`,
    ...r.problems.map((p) => `  ${p.file}: ${p.problem}`),
  ].join("\n");
}

/** `vigil evidence verify FILE`: needs no daemon and no store; exit 0 valid, 1 with the problems. */
async function verifyPack(file: string, opts: VerifyOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const jwk = await publicKey(opts);
    const zip = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new VigilError(ErrorCodes.NOT_FOUND, `cannot read ${file}: ${err.code ?? err.message}`, { cause: err });
    });
    const result = await verifyEvidencePack(zip, jwk);
    emit(json, result, () => describe(file, result));
    if (!result.ok) process.exitCode = ExitCodes.FAILURE;
  } catch (err) {
    fail(err, json);
  }
}

/** `vigil evidence export <id> [-o FILE]` and `vigil evidence verify FILE [--pubkey JWK_FILE]`. */
export function registerEvidenceCommands(program: Command, offline: OfflineAdmin = openOfflineAdmin): void {
  const evidence = program.command("evidence").description("signed evidence packs of incidents");
  evidence
    .command("export")
    .description(
      "write an incident's signed evidence pack (ZIP); never overwrites. With a running daemon the daemon writes it: under systemd, a path below /var/lib/vigil",
    )
    .argument("<id>", "the incident id")
    .option("-o, --output <file>", "the ZIP to create (default ./vigil-evidence-<id>.zip)")
    .option("--no-clips", "leave the incident's video clips out: the record, snapshots and audit only")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((id: string, opts: ExportOptions) => exportPack(id, opts, offline));
  evidence
    .command("verify")
    .description("check a pack's signature, manifest and every file; exit 0 if valid, 1 listing the problems")
    .argument("<file>", "a ZIP written by `vigil evidence export` or POST /v1/incidents/:id/export")
    .option(
      "--pubkey <jwk-file>",
      "the gateway's public JWK (as printed by `vigil audit pubkey`); default: this box's own key",
    )
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action((file: string, opts: VerifyOptions) => verifyPack(file, opts));
}
