import { useState } from "preact/hooks";
import { type CameraView, cameraApi, type ProbeInfo } from "../../api/cameras";
import { describeError } from "../../api/errors";

export function describeProbe(p: ProbeInfo | null | undefined): string {
  if (!p) return "not probed";
  return `${p.codec} ${p.width}x${p.height}${p.fps === null ? "" : ` at ${Math.round(p.fps * 100) / 100} fps`}`;
}

/**
 * Add a camera: its stream is probed first (codec, size, fps shown) so the installer sees that
 * the URL and credentials work before saving. A push-only camera is added without a probe.
 */
export function AddCameraForm({ onAdded }: { onAdded: (c: CameraView) => void }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [credentials, setCredentials] = useState("");
  const [probe, setProbe] = useState<ProbeInfo>();
  const [probedUrl, setProbedUrl] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = (work: () => Promise<void>): void => {
    setBusy(true);
    setStatus(undefined);
    work()
      .catch((err: unknown) => setStatus(describeError(err)))
      .finally(() => setBusy(false));
  };
  const probed = probe !== undefined && probedUrl === url;
  return (
    <form
      aria-label="Add a camera"
      class="add-camera"
      onSubmit={(e) => {
        e.preventDefault();
        run(async () => {
          const added = await cameraApi.add({
            id,
            ...(url ? { url } : {}),
            ...(name ? { name } : {}),
            ...(credentials ? { credentials } : {}),
          });
          setId("");
          setName("");
          setUrl("");
          setCredentials("");
          setProbe(undefined);
          onAdded(added);
        });
      }}
    >
      <h2>Add a camera</h2>
      <div class="field">
        <label>
          Camera id
          <input
            required
            pattern="[a-z0-9_\-]{1,64}"
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
            aria-describedby="id-help"
          />
        </label>
        <span id="id-help" class="help">
          lower-case letters, digits, _ and -
        </span>
      </div>
      <label>
        Name
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <div class="field">
        <label>
          Stream URL
          <input
            type="url"
            size={40}
            placeholder="rtsp://camera.local/stream"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value.trim())}
            aria-describedby="url-help"
          />
        </label>
        <span id="url-help" class="help">
          rtsp:// or rtsps://; empty: a camera that only pushes JPEGs
        </span>
      </div>
      <label>
        Credentials (user:password)
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
          disabled={busy || !/^rtsps?:\/\/./.test(url)}
          onClick={() =>
            run(async () => {
              const p = await cameraApi.probe(url, credentials || undefined);
              setProbe(p);
              setProbedUrl(url);
            })
          }
        >
          Probe stream
        </button>
        <button type="submit" disabled={busy || (url !== "" && !probed)}>
          {url === "" ? "Save push-only camera" : "Save camera"}
        </button>
      </div>
      {busy && <p role="status">Working…</p>}
      {probed && (
        <p role="status" aria-label="Probe result">
          Stream found: {describeProbe(probe)}
        </p>
      )}
      {!probed && url !== "" && (
        <p class="help">Probe the stream to see its codec, size and frame rate before saving.</p>
      )}
      {status && (
        <p class="error" role="alert">
          {status}
        </p>
      )}
    </form>
  );
}
