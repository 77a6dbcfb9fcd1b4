import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors";
import { type FacePreview, fieldApi } from "../api/field";
import type { Person, Watchlist } from "../api/field";

interface Photo {
  readonly name: string;
  readonly url: string;
  readonly base64: string;
  readonly preview?: FacePreview;
  readonly problem?: string;
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function faceWords(p: Photo): string {
  if (p.problem) return p.problem;
  if (!p.preview) return "Looking for a face…";
  const n = p.preview.faces.length;
  if (n === 1)
    return `One face found (score ${p.preview.faces[0]?.score.toFixed(2)}, ${p.preview.faces[0]?.face_px} px wide)`;
  return n === 0 ? "No face found: choose another photo" : `${n} faces found: choose a photo of the person alone`;
}

/** A photo with the faces enrolment would take drawn over it. */
function PhotoPreview({ p }: { p: Photo }) {
  const one = p.preview?.faces.length === 1;
  return (
    <figure class="face-preview">
      <div class="face-frame">
        <img src={p.url} alt={`Photo ${p.name}`} />
        {p.preview && (
          <svg
            viewBox="0 0 1 1"
            preserveAspectRatio="none"
            role="img"
            aria-label={`Faces in ${p.name}: ${p.preview.faces.length}`}
          >
            {p.preview.faces.map((f, i) => (
              <rect
                key={i}
                x={f.box[0]}
                y={f.box[1]}
                width={f.box[2] - f.box[0]}
                height={f.box[3] - f.box[1]}
                class={one ? "face-ok" : "face-bad"}
              />
            ))}
          </svg>
        )}
      </div>
      <figcaption class={p.problem || (p.preview && !one) ? "tone-bad" : "tone-ok"}>{faceWords(p)}</figcaption>
    </figure>
  );
}

function EnrolForm({ onEnrolled }: { onEnrolled: () => void }) {
  const [name, setName] = useState("");
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [status, setStatus] = useState<string>();
  const choose = async (files: FileList | null): Promise<void> => {
    const picked = await Promise.all(
      [...(files ?? [])].map(async (f) => ({ name: f.name, url: URL.createObjectURL(f), base64: await toBase64(f) })),
    );
    setPhotos(picked);
    for (const [i, p] of picked.entries()) {
      fieldApi.facePreview(p.base64).then(
        (preview) => setPhotos((all) => all.map((q, j) => (j === i ? { ...q, preview } : q))),
        (err: unknown) => setPhotos((all) => all.map((q, j) => (j === i ? { ...q, problem: describeError(err) } : q))),
      );
    }
  };
  const ready = name.trim() !== "" && photos.length > 0 && photos.every((p) => p.preview?.faces.length === 1);
  return (
    <form
      aria-label="Enrol a person"
      onSubmit={(e) => {
        e.preventDefault();
        setStatus("Enrolling…");
        fieldApi.enrol({ name: name.trim(), photos: photos.map((p) => p.base64) }).then(
          (r) => {
            setStatus(`${r.person.name} enrolled from ${r.person.embeddings} photo(s).`);
            setName("");
            setPhotos([]);
            onEnrolled();
          },
          (err: unknown) => setStatus(describeError(err)),
        );
      }}
    >
      <h2>Enrol a person</h2>
      <label>
        Name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Photos (JPEG, one face each)
        <input type="file" accept="image/jpeg" multiple onChange={(e) => void choose(e.currentTarget.files)} />
      </label>
      <div class="face-previews">
        {photos.map((p) => (
          <PhotoPreview key={p.url} p={p} />
        ))}
      </div>
      <button type="submit" disabled={!ready}>
        Enrol
      </button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}

/** Supervisor: persons recognised by face (docs/watchlist.md). */
export function WatchlistPage() {
  const [list, setList] = useState<Watchlist>();
  const [status, setStatus] = useState<string>();
  const load = (): void => {
    fieldApi.watchlist().then(setList, (err: unknown) => setStatus(describeError(err)));
  };
  useEffect(load, []);
  const remove = (p: Person): void => {
    if (!window.confirm(`Delete ${p.name} and their face embeddings?`)) return;
    void fieldApi.deletePerson(p.id).then(
      () => (setStatus(`${p.name} deleted.`), load()),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  return (
    <section aria-labelledby="watchlist-title">
      <h1 id="watchlist-title">Watchlist</h1>
      {status && <p role="status">{status}</p>}
      {list && !list.status.available && (
        <p role="alert">The watchlist is off: {list.status.reason ?? "faces are not enabled"}</p>
      )}
      <table aria-label="Enrolled persons">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Photos</th>
            <th scope="col">Enrolled</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(list?.persons ?? []).map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.name}</th>
              <td>{p.embeddings}</td>
              <td>
                {new Date(p.created_at).toLocaleString()} by {p.created_by}
              </td>
              <td>
                <button type="button" aria-label={`Delete ${p.name}`} onClick={() => remove(p)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <EnrolForm onEnrolled={load} />
    </section>
  );
}
