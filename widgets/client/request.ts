import type { Job } from '../../server/protocol/job.ts';
import type { FetchFunction } from './types.ts';

/** A REST call that failed: the hub's `{"error":{code,message,details}}`, or `network_error` (status 0). */
export class HubRequestError extends Error {
  override readonly name = 'HubRequestError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function postJson<T = Job>(fetchImpl: FetchFunction, url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  }).catch((cause: Error) => {
    throw new HubRequestError('network_error', cause?.message ?? String(cause), 0);
  });
  const payload = await response.json().catch(() => null);
  if (response.ok) return payload;
  const { status, statusText } = response;
  const { code = `http_${status}`, message = statusText || `HTTP ${status}`, details } = payload?.error ?? {};
  throw new HubRequestError(code, message, status, details);
}
