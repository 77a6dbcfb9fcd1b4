import { useEffect, useRef, useState } from "preact/hooks";
import { DISMISS_REASONS, type DismissReason } from "../../../src/contract/incident";

export const REASON_LABELS: Record<DismissReason, string> = {
  false_positive_motion: "False positive (motion)",
  normal_behavior: "Normal behaviour",
  camera_fault: "Camera fault",
  weather: "Weather",
  unknown: "Unknown",
};

/** The reason picker of a dismissal: a reason is required, a note is optional. */
export function DismissDialog({ open, onClose, onDismiss }: { open: boolean; onClose: () => void; onDismiss: (reason: DismissReason, note: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState<DismissReason | "">("");
  const [note, setNote] = useState("");
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setReason("");
      setNote("");
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="dismiss-title" onClose={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (reason) onDismiss(reason, note);
        }}
      >
        <h2 id="dismiss-title">Dismiss incident</h2>
        <label>
          Dismiss reason
          <select required value={reason} onChange={(e) => setReason(e.currentTarget.value as DismissReason)}>
            <option value="">Choose a reason…</option>
            {DISMISS_REASONS.map((r) => (
              <option key={r} value={r}>
                {REASON_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Note (optional)
          <textarea maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit">Dismiss</button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
