/** A URL with any user and password replaced, safe for logs and error messages. */
export function redactUrlCredentials(value: string): string {
  return value.replace(/\/\/[^@/\s]*@/, '//***@');
}
