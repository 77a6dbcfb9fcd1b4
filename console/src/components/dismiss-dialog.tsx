import { useEffect, useRef, useState } from "preact/hooks";
import type { DismissReason } from "../../../src/contract/incident";
import { NoteField, ReasonField } from "./dismiss-fields";

/** The reason picker of a dismissal: a reason is required, a note is optional. */
export function DismissDialog({
  open,
  onClose,
  onDismiss,
}: {
  open: boolean;
  onClose: () => void;
  onDismiss: (reason: DismissReason, note: string) => void;
}) {
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
        <ReasonField reason={reason} onChange={setReason} />
        <NoteField note={note} onChange={setNote} />
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
