import { useState } from "preact/hooks";
import { type CameraView, cameraApi, type ProbeInfo } from "../../api/cameras";
import { describeError } from "../../api/errors";
import { describeProbe } from "./add-camera";

/**
 * Edit a runtime camera: name, stream URL (probed before saving, and again by the daemon when it
 * changes) and credentials (write-only: never shown back). Only this camera restarts.
 */
export function EditCamera({ camera, onSaved }: { camera: CameraView; onSaved: (c: CameraView) => void }) {
  const [name, setName] = useState(camera.name ?? "");
  const [url, setUrl] = useState(camera.url ?? "");
  const [credentials, setCredentials] = useState("");
  const [probe, setProbe] = useState<{ url: string; info: ProbeInfo }>();
  const [status, setStatus] = useState<string>();
  const changedUrl = url !== (camera.url ?? "");
  return (
    <form
      aria-label="Edit camera"
      onSubmit={(e) => {
        e.preventDefault();
        setStatus(undefined);
        const patch = {
          ...(name !== (camera.name ?? "") ? { name } : {}),
          ...(changedUrl && url !== "" ? { url } : {}),
          ...(credentials ? { credentials } : {}),
        };
        if (Object.keys(patch).length === 0) return setStatus("Nothing changed.");
        cameraApi.update(camera.id, patch).then(
          (c) => {
            setCredentials("");
            setStatus(`Camera saved${c.probe ? `: ${describeProbe(c.probe)}` : ""}.`);
            onSaved(c);
          },
          (err: unknown) => setStatus(describeError(err)),
        );
      }}
    >
      <h2>Camera settings</h2>
      <label>
        Camera name
        <input value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Camera stream URL
        <input type="url" size={40} value={url} onInput={(e) => setUrl(e.currentTarget.value.trim())} />
      </label>
      <label>
        New credentials (user:password)
        <input
          type="password"
          autoComplete="off"
          value={credentials}
          onInput={(e) => setCredentials(e.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button
          type="button"
          disabled={!/^rtsps?:\/\/./.test(url)}
          onClick={() =>
            void cameraApi.probe(url, credentials || undefined).then(
              (info) => setProbe({ url, info }),
              (err: unknown) => setStatus(describeError(err)),
            )
          }
        >
          Probe new stream
        </button>
        <button type="submit" disabled={changedUrl && probe?.url !== url}>
          Save camera settings
        </button>
      </div>
      {probe?.url === url && (
        <p role="status" aria-label="New stream probe">
          Stream found: {describeProbe(probe.info)}
        </p>
      )}
      {status && <p role="status">{status}</p>}
    </form>
  );
}
