import type { CameraView, Zone, ZoneRule } from "../../api/cameras";

/**
 * A config-file camera as YAML to paste into the config: its entry under `cameras` (with the
 * zones as drawn) and its rules under `rules.zones`. The console never changes the config file:
 * the installer pastes this and runs `vigil config check`. The yaml library loads only here.
 */
export async function configYaml(camera: CameraView, zones: Zone[], rules: ZoneRule[]): Promise<string> {
  const { Document, isScalar, visit } = await import("yaml");
  const entry: Record<string, unknown> = { id: camera.id };
  if (camera.name) entry.name = camera.name;
  if (camera.url !== null) entry.url = camera.url;
  entry.enabled = camera.enabled;
  if (camera.substream_url) entry.substream_url = camera.substream_url;
  entry.detect = camera.detect;
  entry.push = { auth: camera.push_auth, ...(camera.push_client_cert ? { client_cert: camera.push_client_cert } : {}) };
  if (camera.hwaccel !== "none") entry.hwaccel = camera.hwaccel;
  if (camera.motion) entry.motion = camera.motion;
  if (camera.snapshot) entry.snapshot = camera.snapshot;
  if (zones.length > 0)
    entry.zones = zones.map((z) => ({
      id: z.id,
      ...(z.name ? { name: z.name } : {}),
      polygon: z.polygon,
      ...(z.labels ? { labels: z.labels } : {}),
    }));
  const header = [
    `# Camera ${camera.id} from the config file, with its zones and zone rules as edited here.`,
    "# Replace its entry under cameras and its rules under rules.zones, then run: vigil config check",
    ...(camera.has_credentials ? ["# Keep its credentials_file line from your config (not shown here)."] : []),
  ].join("\n");
  const doc = new Document({ cameras: [entry], rules: { zones: rules } });
  // Points and label lists on one line each ([0.1, 0.2]): a polygon stays readable.
  visit(doc, { Seq: (_key, node) => void (node.flow = node.items.every((i) => isScalar(i))) });
  return `${header}\n${doc.toString()}`;
}
