/** Deepest nesting of arrays and objects a body or frame may have: deeper values overflow the stack when the hub serialises them. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests arrays and objects deeper than MAX_JSON_DEPTH; iterative, so safe at any depth. */
export function nestedTooDeep(value: unknown): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_JSON_DEPTH) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}
