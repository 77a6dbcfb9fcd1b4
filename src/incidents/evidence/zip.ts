import { unzipSync, type Unzipped, zipSync, type Zippable } from "fflate";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { FileMap } from "./manifest.js";

/** Deflated entries (JSON, text, JPEGs) bigger than this are not ours. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 10_000;
/** What all entries together may claim: a crafted 6 KB ZIP must not make `vigil evidence verify` allocate gigabytes. */
export const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

/** The files as a ZIP, every entry stamped with `mtime` so the same pack zips to the same bytes. */
export function zipFiles(files: FileMap, mtime: Date): Uint8Array {
  const input: Zippable = {};
  // Video is compressed already: stored, not deflated again (seconds of CPU for nothing).
  for (const [path, bytes] of files) input[path] = [bytes, { mtime, level: path.endsWith(".mp4") ? 0 : 6 }];
  return zipSync(input);
}

/** The files of a ZIP, directory entries left out; refuses oversize entries rather than inflate them. */
export function unzipFiles(zip: Uint8Array): Map<string, Uint8Array> {
  let entries = 0;
  let total = 0;
  let unzipped: Unzipped;
  try {
    unzipped = unzipSync(zip, {
      // Called for each entry before it is inflated: what they claim is summed as they come.
      filter: (f) => {
        if (++entries > MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} entries`);
        // A stored entry (clips: video is not deflated again) cannot expand: its bytes are in the
        // ZIP already, so it is bounded by the file's own size, not by these limits.
        if (f.compression === 0 && f.originalSize <= f.size) return !f.name.endsWith("/");
        if (f.originalSize > MAX_ENTRY_BYTES) throw new Error(`${f.name} claims ${f.originalSize} bytes`);
        total += f.originalSize;
        if (total > MAX_TOTAL_BYTES) throw new Error(`the entries claim more than ${MAX_TOTAL_BYTES} bytes in total`);
        return !f.name.endsWith("/");
      },
    });
  } catch (err) {
    throw new VigilError(ErrorCodes.VALIDATION, `not a readable evidence ZIP: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return new Map(Object.entries(unzipped));
}
