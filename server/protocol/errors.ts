/** Error codes of REST responses and `error` frames. Each is documented in docs/protocol.md. */
export const ERROR_CODES = {
  bad_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  invalid_frame: 400,
  unknown_op: 400,
  unknown_channel: 400,
  unknown_job_type: 400,
  invalid_input: 400,
  not_external: 409,
  unauthorized: 401,
  forbidden: 403,
  forbidden_origin: 403,
  upgrade_required: 426,
  not_found: 404,
  conflict: 409,
  job_finished: 409,
  frame_too_large: 413,
  body_too_large: 413,
  too_many_subscriptions: 429,
  rate_limited: 429,
  too_many_connections: 429,
  not_subscribed: 400,
  already_subscribed: 409,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * WebSocket close codes. 1000/1001 are normal; 4xxx are Jobcast's own.
 * `retry` says whether a client should reconnect (and resume) after it.
 */
export const CLOSE_CODES = {
  normal: { code: 1000, retry: false },
  going_away: { code: 1001, retry: true },
  // Sent by the WebSocket layer itself for a text frame that is not UTF-8 (Deno drops the socket instead).
  invalid_payload: { code: 1007, retry: false },
  message_too_big: { code: 1009, retry: true },
  internal: { code: 1011, retry: true },
  heartbeat_timeout: { code: 4000, retry: true },
  slow_consumer: { code: 4001, retry: true },
  forbidden_origin: { code: 4003, retry: false },
  /** No valid token in time (`AUTH=jwt`): retrying with the same credentials cannot help. */
  unauthorized: { code: 4401, retry: false },
  /** The token expired without a refresh: reconnect once a new token is at hand. */
  token_expired: { code: 4402, retry: true },
} as const;
export type CloseReason = keyof typeof CLOSE_CODES;
