import { useEffect, useState } from "preact/hooks";
import { type ApiKey, type CameraView, cameraApi } from "../../api/cameras";
import { describeError } from "../../api/errors";

/**
 * A push camera's credentials: API keys (a new key is shown once, here, and never again; the
 * server keeps only its digest) and the client certificate the camera is bound to.
 */
export function CameraKeys({ camera }: { camera: CameraView }) {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<{ key: string; id: string }>();
  const [status, setStatus] = useState<string>();
  const load = (): void => {
    cameraApi.keys(camera.id).then(
      (r) => setKeys(r.api_keys),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  useEffect(load, [camera.id]);
  const cert = camera.push_client_cert;
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">Push credentials</h2>
      <p>
        A pushing camera must show: <strong>{camera.push_auth.replace("_", " ")}</strong>. Bound client certificate:{" "}
        {cert
          ? [cert.subject && `subject ${cert.subject}`, cert.fingerprint_sha256 && `SHA-256 ${cert.fingerprint_sha256}`]
              .filter(Boolean)
              .join(", ")
          : `any site-CA certificate whose CN is ${camera.id}`}
      </p>
      <form
        aria-label="Create an API key"
        onSubmit={(e) => {
          e.preventDefault();
          cameraApi.createKey(camera.id, label).then(
            (r) => {
              setCreated({ key: r.key, id: r.api_key.key_id });
              setLabel("");
              load();
            },
            (err: unknown) => setStatus(describeError(err)),
          );
        }}
      >
        <label>
          Key label
          <input value={label} maxLength={200} onInput={(e) => setLabel(e.currentTarget.value)} />
        </label>
        <button type="submit">Create API key</button>
      </form>
      {created && (
        <div class="notice" role="region" aria-label="Key created">
          <p>
            Key <code>{created.id}</code> created. Copy it now: it is shown only this once.
          </p>
          <label>
            New API key
            <input readOnly size={60} value={created.key} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(created.key).then(
                () => setStatus("Key copied to the clipboard."),
                () => setStatus("Could not copy: select the key and copy it by hand."),
              );
            }}
          >
            Copy key
          </button>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {status && <p role="status">{status}</p>}
      <table aria-label="API keys">
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Label</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.key_id}>
              <td>
                <code>{k.key_id}</code>
              </td>
              <td>{k.label ?? ""}</td>
              <td>{k.status}</td>
              <td>{new Date(k.created_at).toLocaleString()}</td>
              <td>{k.last_used_at ? new Date(k.last_used_at).toLocaleString() : "never"}</td>
              <td>
                {k.status === "active" && (
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      void cameraApi.revokeKey(k.key_id).then(
                        () => {
                          setStatus(`Key ${k.key_id} revoked.`);
                          load();
                        },
                        (err: unknown) => setStatus(describeError(err)),
                      )
                    }
                  >
                    Revoke key {k.key_id}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
