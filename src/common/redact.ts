/**
 * A URL with any user and password replaced, safe for logs and error messages. The credentials run to the
 * last `@` before the host (a password may hold `@`), and a `password` query parameter is hidden too.
 */
export function redactUrlCredentials(value: string): string {
  return value.replace(/\/\/[^/\s]*@/, '//***@').replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}
