import { Type } from "@sinclair/typebox";

/** Building blocks shared by the config schemas. */
export const Id = Type.String({
  pattern: "^[a-z0-9_-]{1,64}$",
  description: "lower-case letters, digits, _ and -, at most 64",
});
export const HostPort = Type.String({
  pattern: "^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
  description: "host:port",
});
/** A relative frame coordinate: 0..1, origin top left. */
export const Relative = Type.Number({ minimum: 0, maximum: 1 });
