/**
 * Counts put into words by English plural rules: "1 billable message", "2 billable messages",
 * "0 parameters". No imports: the server's messages and the Vue client (client/src) phrase
 * counts with the same function, so neither writes "message(s)" or "1 messages".
 */

let rules: Intl.PluralRules | undefined;

/** The form of a word that goes with `count`: `one` for 1, else `other` (`one` + "s" unless given). */
export function plural(count: number, one: string, other = `${one}s`): string {
  // Made on first use: an Intl object costs ICU work a start-up that never counts should not pay.
  rules ??= new Intl.PluralRules("en");
  return rules.select(count) === "one" ? one : other;
}

/** The count and its word: "1 parameter", "3 parameters"; `shown` writes the count otherwise ("1,200", "50+"). */
export function countOf(count: number, one: string, { other, shown = String(count) }: { other?: string; shown?: string } = {}): string {
  return `${shown} ${plural(count, one, other)}`;
}
