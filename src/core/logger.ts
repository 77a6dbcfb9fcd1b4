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
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "current_password",
  "*.current_password",
  "new_password",
  "*.new_password",
];

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(?::[^/@\s]*)?@/gi;

/** Strips `user:password@` from any URL inside a string (RTSP URLs end up in ffmpeg's stderr too). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1***:***@");
}

/** Every child of a root logger, so a level change (SIGHUP) reaches loggers made before it. */
const childrenOf = new WeakMap<Logger, Set<WeakRef<Logger>>>();

/** Sets the level of a logger made by createLogger and of all its descendants. */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  const children = childrenOf.get(root);
  if (!children) return;
  for (const ref of children) {
    const child = ref.deref();
    if (child) child.level = level;
    else children.delete(ref);
  }
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const children = new Set<WeakRef<Logger>>();
  const root = pino(
    {
      level: options.level ?? "info",
      onChild: (child) => void children.add(new WeakRef(child)),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stdout,
  );
  childrenOf.set(root, children);
  return root;
}
