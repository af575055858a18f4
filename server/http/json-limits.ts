/** Deepest nesting of arrays and objects a body or frame may have: deeper values overflow the stack when the hub serialises them. */
export const MAX_JSON_DEPTH = 64;

/**
 * What makes a parsed JSON value unacceptable, or undefined: nesting deeper than MAX_JSON_DEPTH,
 * or a NUL character in a string or key, which PostgreSQL text and jsonb cannot hold.
 * Iterative, so safe at any depth.
 */
export function jsonProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === "string") {
      if (item.includes("\u0000")) return "contains a NUL character";
      continue;
    }
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(item)) {
      if (key.includes("\u0000")) return "contains a NUL character";
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}
