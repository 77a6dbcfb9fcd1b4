import { open, unlink } from "node:fs/promises";
import { Type } from "@sinclair/typebox";
import type { AdminOps } from "../../contract/admin.js";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { EvidenceExporter } from "./exporter.js";

export interface ExportedFile {
  readonly path: string;
  readonly bytes: number;
  readonly files: number;
  readonly manifest_sha256: string;
  readonly incident: { readonly id: string; readonly version: number };
}

function unwritable(path: string, err: NodeJS.ErrnoException): VigilError {
  if (err.code === "EEXIST")
    return new VigilError(ErrorCodes.ALREADY_EXISTS, `${path} already exists; an evidence pack never replaces a file`, {
      details: { field: "path" },
    });
  return new VigilError(ErrorCodes.VALIDATION, `cannot write ${path}: ${err.code ?? err.message}`, {
    cause: err,
    details: { field: "path" },
  });
}

/**
 * `evidence.export`: runs where the store is (the daemon, or the CLI when none runs). The file is
 * claimed (O_EXCL) before the export is audited, so a refused path leaves no "exported" entry
 * for a pack that never left the box.
 */
export function evidenceAdminOps(evidence: EvidenceExporter): AdminOps {
  return {
    "evidence.export": {
      summary: "write an incident's signed evidence pack (ZIP) to a new file",
      args: Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" }),
          path: Type.String({
            minLength: 2,
            maxLength: 4096,
            pattern: "^/",
            description: "absolute: the daemon's working directory is not the caller's",
          }),
          clips: Type.Optional(
            Type.Boolean({ description: "false: leave the incident's video clips out (the record only)" }),
          ),
        },
        { additionalProperties: false },
      ),
      run: async (args: { id: string; path: string; clips?: boolean }, ctx): Promise<ExportedFile> => {
        const file = await open(args.path, "wx", 0o640).catch((err: NodeJS.ErrnoException) => {
          throw unwritable(args.path, err);
        });
        let done = false;
        try {
          const pack = await evidence.export(args.id, ctx.actor, undefined, { clips: args.clips !== false });
          await file.writeFile(pack.zip);
          await file.sync();
          done = true;
          return {
            path: args.path,
            bytes: pack.zip.byteLength,
            files: pack.manifest.files.length,
            manifest_sha256: pack.manifestSha256,
            incident: pack.manifest.incident,
          };
        } finally {
          await file.close();
          if (!done) await unlink(args.path).catch(() => {});
        }
      },
    },
  };
}
