/** Deepest nesting of arrays and objects a body or frame may have: deeper values overflow the stack when the hub serialises them. */
export const MAX_JSON_DEPTH = 64;

/**
 * What makes a parsed JSON value unacceptable, or undefined: nesting deeper than MAX_JSON_DEPTH,
 * or text that PostgreSQL text and jsonb cannot hold — a NUL character or an unpaired UTF-16
 * surrogate (which has no UTF-8 form) in a string or key. Iterative, so safe at any depth.
 */
export function jsonProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === "string") {
      if (UNSTORABLE_TEXT.test(item)) return UNSTORABLE_REASON;
      continue;
    }
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(item)) {
      if (UNSTORABLE_TEXT.test(key)) return UNSTORABLE_REASON;
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}

const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_REASON = "contains a NUL character or an unpaired surrogate";
