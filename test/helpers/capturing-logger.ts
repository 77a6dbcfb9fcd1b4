import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/core/logger.js";

/** A real pino logger at debug level whose JSON lines are parsed into `lines` for assertions. */
export function capturingLogger<L extends { level: string; msg: string }>(): { log: Logger; lines: L[] } {
  const lines: L[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString("utf8").split("\n")) if (text) lines.push(JSON.parse(text) as L);
      cb();
    },
  });
  return { log: createLogger({ level: "debug", destination }), lines };
}
