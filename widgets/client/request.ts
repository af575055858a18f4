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
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new HubRequestError('network_error', cause instanceof Error ? cause.message : String(cause), 0);
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new HubRequestError(
      error?.code ?? `http_${response.status}`,
      error?.message ?? (response.statusText || `HTTP ${response.status}`),
      response.status,
      error?.details,
    );
  }
  return payload as T;
}
