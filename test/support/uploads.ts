import { JsonResponse, request } from './http-client';

/** POSTs a multipart/form-data submission: `file` (when given) and the other fields as text. */
export function postUpload(
  baseUrl: string,
  file: { bytes: Buffer; name: string; type?: string } | undefined,
  fields: Record<string, string> = {},
): Promise<JsonResponse> {
  const form = new FormData();
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return request(baseUrl, '/analyze', { method: 'POST', body: form });
}
