// Building filters from the screens' clicks, in the filter language (docs/filters.md).

const hasOr = (filter: string) => /\bor\b/i.test(filter);

/** Both filters must hold: joined with `and`, a side in parentheses when it has an `or` of its own. */
export function andFilter(filter: string, other: string): string {
  const [a, b] = [filter.trim(), other.trim()];
  if (!a) return b;
  if (!b) return a;
  const wrap = (side: string) => (hasOr(side) ? `(${side})` : side);
  return `${wrap(a)} and ${wrap(b)}`;
}

/** Adds `field = value` with `and`, quoting values the filter language would not read bare. */
export function addCondition(filter: string, field: string, value: string): string {
  const bare = /^[^\s(),=!<>']+$/.test(value);
  return andFilter(filter, `${field} = ${bare ? value : `'${value}'`}`);
}
