/** Progress goes to stderr, so stdout carries only the report. */
export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
