import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** A modal yes/no question (native <dialog>: focus is trapped, Escape cancels). */
export function ConfirmDialog(p: {
  open: boolean;
  title: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (p.open && !d.open) d.showModal();
    else if (!p.open && d.open) d.close();
  }, [p.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onClose={p.onClose}>
      <h2 id="confirm-title">{p.title}</h2>
      {p.children}
      <div class="actions">
        <button type="button" onClick={p.onConfirm}>
          {p.confirm}
        </button>
        <button type="button" onClick={p.onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
