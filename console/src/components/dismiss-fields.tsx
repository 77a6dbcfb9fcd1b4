import { DISMISS_REASONS, type DismissReason } from "../../../src/contract/incident";

export const REASON_LABELS: Record<DismissReason, string> = {
  false_positive_motion: "False positive (motion)",
  normal_behavior: "Normal behaviour",
  camera_fault: "Camera fault",
  weather: "Weather",
  unknown: "Unknown",
};

/** The reason picker (required) of a dismissal, for the dialog and the decision form alike. */
export function ReasonField({
  reason,
  onChange,
}: {
  reason: DismissReason | "";
  onChange: (r: DismissReason | "") => void;
}) {
  return (
    <label>
      Dismiss reason
      <select required value={reason} onChange={(e) => onChange(e.currentTarget.value as DismissReason)}>
        <option value="">Choose a reason…</option>
        {DISMISS_REASONS.map((r) => (
          <option key={r} value={r}>
            {REASON_LABELS[r]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The optional note of a decision. */
export function NoteField({ note, onChange }: { note: string; onChange: (n: string) => void }) {
  return (
    <label>
      Note (optional)
      <textarea maxLength={1000} value={note} onInput={(e) => onChange(e.currentTarget.value)} />
    </label>
  );
}
