/** Asserts an answer is the API's error shape, `{statusCode, error, message}`, with this status and a message matching. */
export function expectError(answer: { status: number; body: any }, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) });
}
