import type { Context, MiddlewareHandler } from "hono";
import type { HubContext } from "../app.ts";
import { Problem } from "../http/problem.ts";
import { type Access, OPEN_ACCESS } from "./access.ts";
import { unauthorized } from "./authenticator.ts";

/** Hono variables set by `authenticate`. */
export type AccessEnv = { Variables: { access: Access } };

/** Sets the caller's `access`: everything without authentication, else from `Authorization: Bearer`. */
export function authenticate(context: HubContext): MiddlewareHandler<AccessEnv> {
  return async (c, next) => {
    const { authenticator } = context;
    if (!authenticator) {
      c.set("access", OPEN_ACCESS);
      return await next();
    }
    const token = bearerToken(c);
    if (token === undefined) throw withChallenge(unauthorized());
    try {
      c.set("access", await authenticator.verifyBearer(token));
    } catch (error) {
      throw error instanceof Problem ? withChallenge(error) : error;
    }
    await next();
  };
}

export function bearerToken(c: Context): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(c.req.header("authorization") ?? "");
  return match?.[1];
}

function withChallenge(problem: Problem): Problem {
  return problem.withHeaders({ "www-authenticate": 'Bearer realm="jobcast"' });
}

/** The rate-limit key of a caller: its token's subject, else its IP; undefined when neither is known. */
export function callerKey(access: Access, ip: string | undefined): string | undefined {
  if (access.subject !== undefined) return `sub:${access.subject}`;
  return ip === undefined ? undefined : `ip:${ip}`;
}
