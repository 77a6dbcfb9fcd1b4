import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import type { Envelope } from "../contract/envelope.js";

/**
 * Checks envelopes against the published JSON Schemas (docs/schemas/*.json), the same files a
 * central team written in another language would use: the envelope schema for every message, and
 * the schema for its `type` where one is published. Unknown types pass on the envelope schema
 * alone (the contract says to ignore them, not to refuse them).
 */

/** docs/schemas beside the package: dist/src/central -> repository root. */
export const PUBLISHED_SCHEMAS_DIR = fileURLToPath(new URL("../../../docs/schemas/", import.meta.url));

export type Validation = { ok: true; envelope: Envelope } | { ok: false; errors: string };

function typesOf(schema: Record<string, unknown>): string[] {
  const props = schema.properties as
    Record<string, { const?: unknown; anyOf?: Array<{ const?: unknown }> }> | undefined;
  const type = props?.type;
  if (!type) return [];
  if (typeof type.const === "string") return [type.const];
  return (type.anyOf ?? []).flatMap((t) => (typeof t.const === "string" ? [t.const] : []));
}

export class EnvelopeValidator {
  private constructor(
    private readonly base: ValidateFunction,
    private readonly byType: ReadonlyMap<string, ValidateFunction>,
  ) {}

  /** Compiles every schema file in `dir` (I/O: call from a start(), not a constructor). */
  static async load(dir: string = PUBLISHED_SCHEMAS_DIR): Promise<EnvelopeValidator> {
    const ajv = new Ajv({ allErrors: false, strict: false });
    const byType = new Map<string, ValidateFunction>();
    let base: ValidateFunction | undefined;
    for (const file of (await readdir(dir)).filter((f) => f.endsWith(".json")).sort()) {
      const schema = JSON.parse(await readFile(join(dir, file), "utf8")) as Record<string, unknown>;
      const required = schema.required;
      // Only envelope schemas (those requiring id, stream and seq); status, commands and results are other documents.
      if (!Array.isArray(required) || !["id", "stream", "seq"].every((k) => required.includes(k))) continue;
      const validate = ajv.compile(schema);
      if (file === "envelope.json") base = validate;
      for (const type of typesOf(schema)) byType.set(type, validate);
    }
    if (!base) throw new Error(`no envelope.json in ${dir}`);
    return new EnvelopeValidator(base, byType);
  }

  validate(value: unknown): Validation {
    const describe = (v: ValidateFunction) =>
      (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}`).join("; ");
    if (!this.base(value)) return { ok: false, errors: describe(this.base) };
    const envelope = value as Envelope;
    const specific = this.byType.get(envelope.type);
    if (specific && !specific(value)) return { ok: false, errors: `${envelope.type}: ${describe(specific)}` };
    return { ok: true, envelope };
  }
}
