import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { PersonRecord } from "../watchlist/person-record.js";
import type { EnrolledPerson } from "../watchlist/watchlist-service.js";
import type { WatchlistStatus } from "../watchlist/watchlist-store.js";
import { daemonCall } from "./admin-client.js";
import { CONFIG_HELP, emit, fail } from "./output.js";

interface CommonOptions {
  config?: string;
  json?: boolean;
}

function threshold(value: string): number {
  const n = Number(value);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(value) || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError("expected a number from 0 to 1");
  return n;
}

function describeList(persons: readonly PersonRecord[], status: WatchlistStatus): string {
  const head = status.available
    ? `watchlist: ${status.persons} person(s), ${status.embeddings} embedding(s), key ${status.key_id ?? "?"}`
    : `watchlist is off: ${status.reason ?? "?"}`;
  if (persons.length === 0) return `${head}\nno persons`;
  const rows = [
    ["ID", "NAME", "THRESHOLD", "PHOTOS", "CREATED", "BY"],
    ...persons.map((p) => [
      p.id,
      p.name,
      p.threshold === null ? "default" : String(p.threshold),
      String(p.embeddings),
      p.created_at,
      p.created_by,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return [
    head,
    ...rows.map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    ),
  ].join("\n");
}

async function call<R>(opts: CommonOptions, op: string, args: unknown): Promise<R> {
  const config = await loadConfig(configPathFrom(opts.config, process.env));
  // Enrolment needs the face models and the key the daemon holds: these verbs need it running.
  return daemonCall<R>(config, op, args);
}

/** `vigil watchlist enroll|list|delete`, through the running daemon's admin socket. */
export function registerWatchlistCommands(program: Command): void {
  const watchlist = program
    .command("watchlist")
    .description("persons recognised by face (needs the daemon running, with faces.enabled)");

  watchlist
    .command("enroll")
    .description("enrol a person from one or more JPEG photos, each showing only their face")
    .requiredOption("--name <name>", "how operators will see the person")
    .option("--threshold <t>", "this person's own match threshold, 0..1 (default: faces.match_threshold)", threshold)
    .option("--notes <text>", "a note for supervisors")
    .argument("<photos...>", "JPEG files")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (photos: string[], opts: CommonOptions & { name: string; threshold?: number; notes?: string }) => {
      const json = opts.json === true;
      try {
        const encoded = await Promise.all(photos.map(async (p) => (await readFile(p)).toString("base64")));
        const args = {
          name: opts.name,
          photos: encoded,
          ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }),
          ...(opts.notes === undefined ? {} : { notes: opts.notes }),
        };
        const result = await call<EnrolledPerson>(opts, "watchlist.enroll", args);
        emit(
          json,
          result,
          () => `enrolled ${result.person.id} (${result.person.name}) from ${result.person.embeddings} photo(s)`,
        );
      } catch (err) {
        fail(err, json);
      }
    });

  watchlist
    .command("list")
    .description("list enrolled persons (never their embeddings)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (opts: CommonOptions) => {
      const json = opts.json === true;
      try {
        const result = await call<{ persons: PersonRecord[]; status: WatchlistStatus }>(opts, "watchlist.list", {});
        emit(json, result, () => describeList(result.persons, result.status));
      } catch (err) {
        fail(err, json);
      }
    });

  watchlist
    .command("delete")
    .description("delete a person and all their embeddings from the store")
    .argument("<id>", "the person id (wl_...)")
    .option("-c, --config <file>", CONFIG_HELP)
    .option("--json", "print the result as JSON")
    .action(async (id: string, opts: CommonOptions) => {
      const json = opts.json === true;
      try {
        const result = await call<{ deleted: PersonRecord }>(opts, "watchlist.delete", { id });
        emit(
          json,
          result,
          () => `deleted ${result.deleted.id} (${result.deleted.name}) and ${result.deleted.embeddings} embedding(s)`,
        );
      } catch (err) {
        fail(err, json);
      }
    });
}
