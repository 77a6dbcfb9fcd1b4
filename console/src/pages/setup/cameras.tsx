import { useEffect, useState } from "preact/hooks";
import { type CameraView, cameraApi } from "../../api/cameras";
import { describeError } from "../../api/errors";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { navigate } from "../../router";
import { AddCameraForm, describeProbe } from "./add-camera";

function stateText(c: CameraView): string {
  if (!c.enabled) return "disabled";
  return c.state ?? "unknown";
}

/**
 * Cameras (admin): every camera with where it comes from and its state; runtime cameras are
 * added, enabled, disabled and deleted here, config-file cameras only shown (their YAML is on
 * their page).
 */
export function CamerasPage() {
  const [cameras, setCameras] = useState<CameraView[]>([]);
  const [status, setStatus] = useState<string>();
  const [deleting, setDeleting] = useState<CameraView>();
  const load = (): void => {
    cameraApi.list().then(
      (r) => setCameras(r.cameras),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  useEffect(load, []);
  const act = (work: Promise<unknown>, done: string): void => {
    work.then(
      () => {
        setStatus(done);
        load();
      },
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  const open = (id: string) => (e: Event) => {
    e.preventDefault();
    navigate(`/cameras/${encodeURIComponent(id)}`);
  };
  return (
    <section aria-labelledby="cameras-title">
      <h1 id="cameras-title">Cameras</h1>
      {status && <p role="status">{status}</p>}
      <table aria-label="Cameras">
        <thead>
          <tr>
            <th scope="col">Camera</th>
            <th scope="col">Origin</th>
            <th scope="col">State</th>
            <th scope="col">Stream</th>
            <th scope="col">Probe</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {cameras.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={`/cameras/${encodeURIComponent(c.id)}`} onClick={open(c.id)}>
                  {c.name ? `${c.name} (${c.id})` : c.id}
                </a>
              </td>
              <td>{c.origin === "config" ? "config file (read-only)" : "added here"}</td>
              <td>
                <span class={`state st-${stateText(c)}`}>{stateText(c)}</span>
              </td>
              <td>{c.url ?? "push only (no stream)"}</td>
              <td>{describeProbe(c.probe)}</td>
              <td>
                {c.origin === "runtime" && (
                  <>
                    <button
                      type="button"
                      onClick={() =>
                        act(
                          cameraApi.update(c.id, { enabled: !c.enabled }),
                          `${c.id} ${c.enabled ? "disabled" : "enabled"}.`,
                        )
                      }
                    >
                      {c.enabled ? "Disable" : "Enable"} {c.id}
                    </button>{" "}
                    <button type="button" class="danger" onClick={() => setDeleting(c)}>
                      Delete {c.id}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddCameraForm
        onAdded={(c) => {
          setStatus(`Camera ${c.id} added.`);
          load();
        }}
      />
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete camera ${deleting?.id ?? ""}?`}
        confirm="Delete camera"
        onClose={() => setDeleting(undefined)}
        onConfirm={() => {
          const c = deleting;
          setDeleting(undefined);
          if (c)
            act(
              cameraApi
                .remove(c.id)
                .then((r) => setStatus(`Camera ${r.removed} deleted; ${r.revoked_keys.length} key(s) revoked.`)),
              `Camera ${c.id} deleted.`,
            );
        }}
      >
        <p>
          The camera stops at once, and its API keys are revoked: a camera added later with the same id will need new
          keys.
        </p>
      </ConfirmDialog>
    </section>
  );
}
