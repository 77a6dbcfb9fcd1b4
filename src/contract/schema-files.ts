import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import {
  AuditCheckpointEnvelopeSchema,
  AuditEntryEnvelopeSchema,
  CommandResultSchema,
  CommandSchema,
  EnvelopeSchema,
  IncidentEnvelopeSchema,
  KpiWeeklyEnvelopeSchema,
  OutboxFullAlertEnvelopeSchema,
  StatusSchema,
} from "./schemas.js";

/*
 * The published form of the contract schemas: docs/schemas/*.json. Kept apart from the schema
 * definitions so those stay pure declarations and this is the one place that writes files.
 */

/** File name (in docs/schemas) -> schema, in the order the docs list them. */
const FILES: ReadonlyArray<readonly [string, TSchema]> = [
  ["envelope.json", EnvelopeSchema],
  ["incident-envelope.json", IncidentEnvelopeSchema],
  ["kpi-weekly-envelope.json", KpiWeeklyEnvelopeSchema],
  ["audit-entry-envelope.json", AuditEntryEnvelopeSchema],
  ["audit-checkpoint-envelope.json", AuditCheckpointEnvelopeSchema],
  ["alert-outbox-full-envelope.json", OutboxFullAlertEnvelopeSchema],
  ["status.json", StatusSchema],
  ["command.json", CommandSchema],
  ["command-result.json", CommandResultSchema],
];

/** Keywords first in this order, so a person reading a file sees what a thing is before its parts. */
const KEYWORD_ORDER = [
  "$schema",
  "$id",
  "title",
  "description",
  "type",
  "const",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "required",
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "anyOf",
];
const rank = (key: string): number => {
  const i = KEYWORD_ORDER.indexOf(key);
  return i === -1 ? KEYWORD_ORDER.length : i;
};

/** A schema as plain JSON with its keywords in KEYWORD_ORDER (property names keep their order). */
function tidy(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const entries = Object.entries(schema as Record<string, unknown>).sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(
    entries.map(([key, value]) => {
      if (key === "properties" || key === "patternProperties") {
        return [
          key,
          Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, tidy(sub)])),
        ];
      }
      if (key === "anyOf" && Array.isArray(value)) return [key, value.map(tidy)];
      if (key === "items" || key === "additionalProperties") return [key, tidy(value)];
      return [key, value];
    }),
  );
}

/** The published schemas as plain JSON values (TypeBox's symbol keys dropped), by file name. */
export function exportSchemas(): Record<string, object> {
  return Object.fromEntries(FILES.map(([file, schema]) => [file, tidy(JSON.parse(JSON.stringify(schema))) as object]));
}

/** The text each file holds: 2-space JSON and a final newline. */
export function schemaFileText(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Writes every exported schema into `dir` (created if missing); returns the paths written. */
export async function writeSchemaFiles(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, schema] of Object.entries(exportSchemas())) {
    const path = join(dir, file);
    await writeFile(path, schemaFileText(schema), "utf8");
    written.push(path);
  }
  return written;
}
