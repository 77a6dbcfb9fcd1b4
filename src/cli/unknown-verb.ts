import type { Command } from "commander";

/** Levenshtein distance between two short strings (verbs), by the two-row method. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The verb closest to `word` (ties: the first in `verbs`), or undefined when there are none. */
export function closestVerb(word: string, verbs: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const v of verbs) {
    // A verb that starts with what was typed ("diag") is the one meant, whatever its length.
    const d = v.startsWith(word) && word.length > 0 ? 0 : editDistance(word, v);
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best;
}

export interface UnknownVerb {
  /** The verbs that led to it, e.g. ["camera"] for `vigil camera frob`. */
  readonly path: readonly string[];
  readonly word: string;
  readonly suggestion: string | undefined;
}

/**
 * Walks `args` (argv without node and the script) down the command tree and answers the first word
 * that names no verb where one is expected, or undefined. Commander would print the whole help and
 * exit 0 for `vigil frob --help`, so scripts could not tell a missing verb from a present one.
 * Only groups (commands with subcommands) expect a verb; their only options are -h and -V.
 */
export function findUnknownVerb(program: Command, args: readonly string[]): UnknownVerb | undefined {
  let command = program;
  const path: string[] = [];
  for (const word of args) {
    if (word.startsWith("-")) continue;
    const subs = command.commands;
    if (subs.length === 0) return undefined;
    const verbs = subs.flatMap((c) => [c.name(), ...c.aliases()]);
    if (word === "help") return undefined;
    const next = subs.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) return { path, word, suggestion: closestVerb(word, [...verbs, "help"]) };
    command = next;
    path.push(word);
  }
  return undefined;
}

/** The message for an unknown verb: what was typed, the closest verb, and where the list is. */
export function unknownVerbMessage(u: UnknownVerb): string {
  const where = ["vigil", ...u.path].join(" ");
  const hint = u.suggestion !== undefined ? ` Did you mean '${where} ${u.suggestion}'?` : "";
  return `error: unknown command '${u.word}' for '${where}'.${hint}\nRun '${where} --help' for the list of commands.\n`;
}
