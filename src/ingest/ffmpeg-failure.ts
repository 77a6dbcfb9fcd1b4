/** Why a camera's ffmpeg ended, in words a field tech can act on. */
export type FailureKind =
  "unauthorized" | "not_found" | "unreachable" | "timeout" | "no_video" | "bad_stream" | "hwaccel" | "ended" | "failed";

export interface FfmpegFailure {
  readonly kind: FailureKind;
  readonly message: string;
}

const RULES: ReadonlyArray<{ kind: FailureKind; test: RegExp; message: string }> = [
  {
    kind: "unauthorized",
    test: /\b401\b|Unauthorized|403 Forbidden/i,
    message: "the camera refused the credentials (401 Unauthorized)",
  },
  {
    kind: "not_found",
    test: /\b404\b|Not Found|No such file/i,
    message: "the camera has no such stream (404 Not Found)",
  },
  {
    kind: "no_video",
    test: /matches no streams|does not contain any stream|Output file #0 does not contain/i,
    message: "the stream has no video track",
  },
  {
    kind: "unreachable",
    test: /Connection refused|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution/i,
    message: "the camera cannot be reached",
  },
  { kind: "timeout", test: /timed out|Operation timed out|timeout/i, message: "the camera did not answer in time" },
  {
    kind: "hwaccel",
    test: /hwaccel|Failed setup for format|No device available|Device creation failed|vaapi|cuda|qsv/i,
    message: "hardware decoding failed",
  },
  {
    kind: "bad_stream",
    test: /Invalid data found|could not find codec parameters|Unsupported codec|error while decoding/i,
    message: "the stream cannot be decoded",
  },
];

/**
 * Classifies an ffmpeg exit from its last stderr lines (newest last). The message names the kind
 * and quotes the line that gave it away, so the cause is clear without reading ffmpeg's log. Pure.
 */
export function describeFfmpegExit(
  stderr: readonly string[],
  code: number | null,
  signal: string | null,
  run?: { ranMs: number; socketTimeoutMs: number },
): FfmpegFailure {
  const lines = stderr.map((l) => l.trim()).filter((l) => l.length > 0);
  // A server that accepts the connection and says nothing makes ffmpeg give up after its socket
  // timeout with "Invalid data found", as if the stream were corrupt; the timing tells them apart.
  const opened = lines.some((l) => l.startsWith("Input #"));
  if (
    run &&
    !opened &&
    code !== 0 &&
    run.ranMs >= run.socketTimeoutMs * 0.9 &&
    lines.some((l) => /Invalid data found/i.test(l))
  ) {
    return {
      kind: "timeout",
      message: `the camera accepted the connection but sent no stream within ${run.socketTimeoutMs / 1000} s`,
    };
  }
  for (const rule of RULES) {
    const line = [...lines].reverse().find((l) => rule.test.test(l));
    if (line !== undefined) return { kind: rule.kind, message: `${rule.message}: ${line}` };
  }
  if (code === 0) return { kind: "ended", message: "the stream ended" };
  const last = lines.at(-1);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? "?"}`;
  return { kind: "failed", message: `ffmpeg ${how}${last ? `: ${last}` : ""}` };
}
