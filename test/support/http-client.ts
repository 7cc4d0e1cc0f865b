export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(baseUrl: string, path: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (the Swagger UI page): keep the text.
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export const postJson = <T = any>(baseUrl: string, path: string, payload: unknown) =>
  request<T>(baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

/** Polls a request until it is finished, or fails the test after `timeoutMs`. */
export async function pollUntilFinished(baseUrl: string, requestId: string, timeoutMs = 20_000): Promise<JsonResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await request(baseUrl, `/status/${requestId}`);
    if (answer.status !== 200 || answer.body.status === 'done' || answer.body.status === 'error') return answer;
    if (Date.now() > deadline) throw new Error(`request ${requestId} still ${answer.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
