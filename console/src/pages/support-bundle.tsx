import { useState } from "preact/hooks";
import { fieldApi } from "../api/field";
import { describeError } from "../api/errors";

/** Admin: what `vigil diagnose` writes, made by the daemon and downloaded as a tar.gz. */
export function SupportBundleButton() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const download = async (): Promise<void> => {
    setBusy(true);
    setMessage("Collecting the support bundle…");
    try {
      const blob = await fieldApi.supportBundle();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `vigil-support-${new Date().toISOString().replace(/[:.]/g, "-")}.tar.gz`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setMessage("Support bundle downloaded (no secrets inside).");
    } catch (e) {
      setMessage(`The support bundle failed: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="actions">
      <button type="button" disabled={busy} onClick={() => void download()}>
        Download support bundle
      </button>
      {message && <span role="status">{message}</span>}
    </p>
  );
}
