import { useEffect, useState } from "preact/hooks";
import { type CameraView, cameraApi, type Zone, type ZoneRule } from "../../api/cameras";
import { describeError } from "../../api/errors";
import { navigate } from "../../router";
import { describeProbe } from "./add-camera";
import { useSnapshot } from "./camera-picture";
import { CameraKeys } from "./camera-keys";
import { configYaml } from "./camera-yaml";
import { DetectionPreview } from "./detect-preview";
import { EditCamera } from "./edit-camera";
import { RulesEditor } from "./rules-editor";
import { ZoneEditor } from "./zone-editor";
import { polygonProblem } from "../../../../src/contract/zone-polygon";

/**
 * One camera set up (admin): push credentials, zones drawn on its picture, zone rules, and the
 * detection preview. A runtime camera's zones and rules are saved to the daemon and applied at
 * once; a config-file camera is read-only here and the page gives the YAML to paste instead.
 */
export function CameraPage({ id }: { id: string }) {
  const [camera, setCamera] = useState<CameraView>();
  const [zones, setZones] = useState<Zone[]>([]);
  const [rules, setRules] = useState<ZoneRule[]>([]);
  const [yaml, setYaml] = useState<string>();
  const [status, setStatus] = useState<string>();
  const snapshot = useSnapshot(id);
  useEffect(() => {
    Promise.all([cameraApi.get(id), cameraApi.rules(id)]).then(
      ([c, r]) => {
        setCamera(c);
        setZones(c.zones);
        setRules(r.rules);
      },
      (err: unknown) => setStatus(describeError(err)),
    );
  }, [id]);
  const config = camera?.origin === "config";
  useEffect(() => {
    if (camera && config) void configYaml(camera, zones, rules).then(setYaml);
  }, [camera, config, zones, rules]);
  if (!camera) return <p role="status">{status ?? "Loading…"}</p>;
  const save = (what: string, work: () => Promise<unknown>): void => {
    setStatus(undefined);
    work().then(
      () => setStatus(`${what} saved and applied.`),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  const badZone = zones.find((z) => polygonProblem(z.polygon));
  return (
    <article aria-labelledby="camera-title">
      <p>
        <a
          href="/cameras"
          onClick={(e) => {
            e.preventDefault();
            navigate("/cameras");
          }}
        >
          All cameras
        </a>
      </p>
      <h1 id="camera-title">Camera {camera.name ? `${camera.name} (${camera.id})` : camera.id}</h1>
      <dl class="facts">
        <dt>Origin</dt>
        <dd>
          {config
            ? "config file: read-only here; paste the YAML below into the config"
            : "added here: changes apply at once"}
        </dd>
        <dt>Stream</dt>
        <dd>{camera.url ?? "push only (no stream)"}</dd>
        <dt>Probe</dt>
        <dd>{describeProbe(camera.probe)}</dd>
        <dt>State</dt>
        <dd>{camera.enabled ? (camera.state ?? "unknown") : "disabled"}</dd>
      </dl>
      {status && (
        <p role="status" class="notice">
          {status}
        </p>
      )}
      {!config && <EditCamera camera={camera} onSaved={(c) => setCamera({ ...camera, ...c })} />}
      <CameraKeys camera={camera} />
      <ZoneEditor zones={zones} onChange={setZones} picture={snapshot.src} />
      {!config && (
        <button
          type="button"
          disabled={badZone !== undefined}
          onClick={() => save("Zones", () => cameraApi.update(id, { zones }))}
        >
          Save zones
        </button>
      )}
      <RulesEditor cameraId={id} zones={zones} rules={rules} onChange={setRules} />
      {!config && (
        <button
          type="button"
          onClick={() => save("Rules", () => cameraApi.saveRules(id, rules).then((r) => setRules(r.rules)))}
        >
          Save rules
        </button>
      )}
      {config && yaml !== undefined && (
        <section aria-labelledby="yaml-title">
          <h2 id="yaml-title">Config YAML</h2>
          <label class="block">
            YAML for the config file
            <textarea readOnly rows={Math.min(30, yaml.split("\n").length + 1)} cols={80} value={yaml} />
          </label>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(yaml).then(
                () => setStatus("YAML copied."),
                () => setStatus("Could not copy: select the text and copy it by hand."),
              )
            }
          >
            Copy YAML
          </button>
        </section>
      )}
      <DetectionPreview cameraId={id} zones={zones} snapshot={snapshot.src} />
    </article>
  );
}
