// Command topics: which topics address a command, and that a name can never reach another topic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isVigilError, ErrorCodes } from "../../src/core/errors.js";
import {
  commandTopicFilter,
  isCommandName,
  parseCommandTopic,
  resultTopic,
} from "../../src/sync/commands/command-topic.js";

const level = fc.stringMatching(/^[a-z0-9_-]{1,16}$/);
const baseArb = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join("/"));
const nameArb = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,63}$/);

/** MQTT filter matching as a broker does it (`+` is exactly one level). */
function brokerMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  return f.length === t.length && f.every((part, i) => part === "+" || part === t[i]);
}

void describe("command topics", () => {
  void it("the filter, the parser and the result topic agree for every base and name", () => {
    fc.assert(
      fc.property(baseArb, nameArb, (base, name) => {
        const topic = `${base}/cmd/${name}`;
        assert.ok(brokerMatches(commandTopicFilter(base), topic));
        assert.equal(parseCommandTopic(base, topic), name);
        assert.equal(resultTopic(base, name), `${base}/cmd_result/${name}`);
        // A result topic is never itself a command topic (no loop through our own subscription).
        assert.equal(parseCommandTopic(base, resultTopic(base, name)), undefined);
        assert.ok(!brokerMatches(commandTopicFilter(base), resultTopic(base, name)));
      }),
    );
  });

  void it("a name that is not one lower-case level is not a command", () => {
    const badName = fc.oneof(
      fc.string({ maxLength: 80 }).filter((s) => !/^[a-z][a-z0-9_.-]{0,63}$/.test(s)),
      nameArb.map((n) => `${n}/extra`),
      nameArb.map((n) => `${n}/`),
      nameArb.map((n) => n.toUpperCase()).filter((n) => /[A-Z]/.test(n)),
      fc.constantFrom("", "+", "#", "1abc", "_x", "a b", "a\n", "a+", "a#", "\u00e9t\u00e9"),
      fc.stringMatching(/^[a-z][a-z0-9]{64,70}$/),
    );
    fc.assert(
      fc.property(baseArb, badName, (base, name) => {
        assert.equal(isCommandName(name), false);
        assert.equal(parseCommandTopic(base, `${base}/cmd/${name}`), undefined);
        assert.throws(
          () => resultTopic(base, name),
          (err) => isVigilError(err, ErrorCodes.VALIDATION),
        );
      }),
    );
  });

  void it("topics of another base, another kind or with extra levels are ignored", () => {
    fc.assert(
      fc.property(baseArb, baseArb, nameArb, level, (base, other, name, extra) => {
        fc.pre(other !== base);
        const theirs = `${other}/cmd/${name}`;
        assert.equal(
          parseCommandTopic(base, theirs),
          brokerMatches(commandTopicFilter(base), theirs) ? name : undefined,
        );
        assert.equal(parseCommandTopic(base, `${base}/${extra}/cmd/${name}`), undefined);
        assert.equal(parseCommandTopic(base, `${base}/cmd/${name}/${extra}`), undefined);
        assert.equal(parseCommandTopic(base, `${base}/cmd_result/${name}`), undefined);
        assert.equal(parseCommandTopic(base, `${base}/cmd`), undefined);
        assert.equal(parseCommandTopic(base, `x${base}/cmd/${name}`), undefined);
      }),
    );
  });

  void it("parses exactly the topics the subscription filter delivers, for any topic string", () => {
    const topicArb = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .tuple(baseArb, fc.constantFrom("cmd", "cmd_result", "CMD"), fc.string({ maxLength: 20 }))
        .map(([b, k, n]) => `${b}/${k}/${n}`),
    );
    fc.assert(
      fc.property(baseArb, topicArb, (base, topic) => {
        const name = parseCommandTopic(base, topic);
        if (name !== undefined) {
          assert.ok(brokerMatches(commandTopicFilter(base), topic));
          assert.equal(topic, `${base}/cmd/${name}`);
        }
      }),
    );
  });

  void it("examples", () => {
    const base = "vigil/acme/hq/gw-01";
    assert.equal(commandTopicFilter(base), "vigil/acme/hq/gw-01/cmd/+");
    assert.equal(parseCommandTopic(base, "vigil/acme/hq/gw-01/cmd/watchlist.add"), "watchlist.add");
    assert.equal(parseCommandTopic(base, "vigil/acme/hq/gw-02/cmd/watchlist.add"), undefined);
    assert.equal(parseCommandTopic(base, "vigil/acme/hq/gw-01/cmd/Watchlist"), undefined);
    assert.equal(resultTopic(base, "ping"), "vigil/acme/hq/gw-01/cmd_result/ping");
  });
});
