import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { AuditRecorder } from "../../contract/audit.js";
import { EXPENSIVE } from "../expensive-routes.js";
import { role, userOf } from "../route-access.js";

export interface SupportBundleRouteDeps {
  /** Writes the bundle to `output` (the same code as `vigil diagnose`); answers its file name to offer. */
  readonly write: (output: string) => Promise<string>;
  readonly audit: AuditRecorder;
}

/**
 * `POST /v1/diagnose` (admin): the support bundle of `vigil diagnose`, as a download. A POST, as
 * it runs commands on the box and is audited; limited like the other expensive routes.
 */
export function registerSupportBundleRoute(app: FastifyInstance, deps: SupportBundleRouteDeps): void {
  app.post(
    "/v1/diagnose",
    {
      config: { access: role("admin"), limit: EXPENSIVE.supportBundle },
      schema: {
        description:
          "The support bundle of `vigil diagnose` (tar.gz): config without secrets, health, versions, ffmpeg/GPU facts, certificates, models, logs.",
        response: { 200: { type: "string", format: "binary", description: "application/gzip" } },
      },
    },
    async (request, reply) => {
      const dir = await mkdtemp(join(tmpdir(), "vigil-bundle-"));
      try {
        const output = join(dir, "bundle.tar.gz");
        const name = await deps.write(output);
        const data = await readFile(output);
        await deps.audit.record({
          actor: userOf(request).username,
          source: request.ip,
          action: "support_bundle.downloaded",
          target: "box",
          result: "ok",
          details: { bytes: data.length },
        });
        return reply
          .header("content-type", "application/gzip")
          .header("content-disposition", `attachment; filename="${name}"`)
          .header("cache-control", "no-store")
          .send(data);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
}
