import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Paths pino blanks out wherever they appear. Secrets never reach the config object (they live in
 * files), but credentials can still travel inside errors and URLs, so both are covered.
 */
const REDACT_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  "credentials",
  "*.credentials",
  "secrets",
  "*.secrets",
];

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(?::[^/@\s]*)?@/gi;

/** Strips `user:password@` from any URL inside a string (RTSP URLs end up in ffmpeg's stderr too). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1***:***@");
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stdout,
  );
}
