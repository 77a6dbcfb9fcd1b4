import { refresh } from "./session";
import { currentToken } from "./session";
import type { Incident } from "./types";

export type LiveEvent =
  { type: "incident.created" | "incident.updated" | "approval.requested"; incident: Incident } | { type: "reset" };

/**
 * `GET /v1/events` read with fetch (an EventSource cannot send the bearer token): parsed as
 * server-sent events, reconnected after any end (the daemon ends a stream when its token
 * expires) with `Last-Event-ID`, so no change is lost across a drop. Returns a stop function.
 */
export function followEvents(onEvent: (e: LiveEvent) => void, onState?: (connected: boolean) => void): () => void {
  let lastId: string | undefined;
  let stopped = false;
  let ctl: AbortController | undefined;
  const run = async (): Promise<void> => {
    while (!stopped) {
      ctl = new AbortController();
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${currentToken() ?? ""}` };
        if (lastId) headers["last-event-id"] = lastId;
        const res = await fetch("/v1/events", { headers, signal: ctl.signal });
        if (res.status === 401 && !(await refresh())) return;
        if (res.ok && res.body) {
          onState?.(true);
          await readStream(res.body, (id, type, data) => {
            if (id) lastId = id;
            if (type === "reset") onEvent({ type: "reset" });
            else if (type === "incident.created" || type === "incident.updated" || type === "approval.requested")
              onEvent({ type, incident: JSON.parse(data) as Incident });
          });
        }
      } catch {
        // Dropped: reconnect below.
      }
      onState?.(false);
      if (!stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return () => {
    stopped = true;
    ctl?.abort();
  };
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  emit: (id: string | undefined, type: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let id: string | undefined;
      let type = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length > 0) emit(id, type, data.join("\n"));
    }
  }
}
