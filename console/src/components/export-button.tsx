import { useState } from "preact/hooks";
import { call } from "../api/client";
import { describeError } from "../api/errors";

/** Downloads the incident's signed evidence pack, showing how much has arrived. */
export function ExportButton({ id }: { id: string }) {
  const [progress, setProgress] = useState<{ got: number; total: number } | undefined>();
  const [status, setStatus] = useState<string>();
  const run = async (): Promise<void> => {
    setStatus(undefined);
    setProgress({ got: 0, total: 0 });
    try {
      const res = await call(`/v1/incidents/${encodeURIComponent(id)}/export`, { method: "POST" });
      const total = Number(res.headers.get("content-length") ?? 0);
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? `incident-${id}.zip`;
      const parts: Uint8Array[] = [];
      let got = 0;
      const reader = res.body?.getReader();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        parts.push(chunk.value);
        got += chunk.value.byteLength;
        setProgress({ got, total });
      }
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: "application/zip" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(`Evidence pack downloaded: ${name} (${Math.round(got / 1024)} KB)`);
    } catch (err) {
      setStatus(describeError(err));
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <div class="export">
      <button type="button" onClick={() => void run()} disabled={progress !== undefined}>
        Export evidence
      </button>
      {progress && (
        <progress
          aria-label="Export progress"
          max={progress.total || undefined}
          value={progress.total ? progress.got : undefined}
        />
      )}
      {status && <p role="status">{status}</p>}
    </div>
  );
}
