import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { Segment } from "../../ingest/recording/segments.js";

const run = promisify(execFile);

export interface AssembledClip {
  readonly sha256: string;
  readonly bytes: number;
  readonly durationS: number;
  /** Segments ffmpeg could not read, left out (each becomes a gap). */
  readonly unreadable: readonly Segment[];
}

/** A line of ffmpeg's concat list; our segment paths have no quotes, but never trust that. */
function concatLine(path: string): string {
  return `file '${path.replaceAll("'", "'\\''")}'`;
}

/** Seconds of video in a media file, by ffprobe; undefined when it cannot be read. */
export async function probeDuration(path: string, timeoutMs = 20_000): Promise<number | undefined> {
  try {
    const { stdout } = await run(
      "ffprobe",
      ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path],
      { timeout: timeoutMs },
    );
    const d = Number(stdout.trim());
    return Number.isFinite(d) && d > 0 ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Joins ring segments into one MP4 by stream copy (no decoding) with the index in front
 * (`+faststart`), so a browser plays and seeks it before it has all of it. ffmpeg writes `tmp`;
 * the caller commits it (ClipStore). Each segment is probed first: the concat demuxer skips bytes
 * it cannot parse without a word, so a corrupt segment would silently shorten the clip; probed, it
 * is left out and becomes a recorded gap.
 */
export async function assembleClip(
  paths: readonly { segment: Segment; path: string }[],
  tmp: string,
  timeoutMs = 120_000,
): Promise<Omit<AssembledClip, "sha256" | "bytes">> {
  const unreadable: Segment[] = [];
  const usable: Array<{ segment: Segment; path: string }> = [];
  for (const p of paths) {
    if ((await probeDuration(p.path, timeoutMs)) === undefined) unreadable.push(p.segment);
    else usable.push(p);
  }
  if (usable.length === 0) throw new Error("no readable segment in the clip's window");
  const list = `${tmp}.list`;
  try {
    await writeFile(list, usable.map((p) => concatLine(p.path)).join("\n") + "\n", { mode: 0o600 });
    await run(
      "ffmpeg",
      [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list,
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
        tmp,
      ],
      { timeout: timeoutMs },
    );
  } finally {
    await rm(list, { force: true });
  }
  const durationS = await probeDuration(tmp, timeoutMs);
  if (durationS === undefined) throw new Error("the joined clip holds no video");
  return { durationS, unreadable };
}
