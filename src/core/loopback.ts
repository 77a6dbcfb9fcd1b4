import { isIP } from "node:net";

/** `localhost`, `::1` (bracketed or not) or any 127.x address. Pure. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || (isIP(bare) === 4 && bare.startsWith("127."));
}
