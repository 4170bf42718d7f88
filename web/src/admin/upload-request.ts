// One file to POST /api/upload with XMLHttpRequest: fetch() cannot report
// upload progress, XHR can (xhr.upload.onprogress).
import { ApiError } from '../shared/api.ts';

export interface UploadedFile {
  original_name: string;
  temp_path: string;
  size: number;
  content_type: string;
}

interface UploadResponse {
  status: string;
  files: UploadedFile[];
  message?: string;
}

function errorFromXhr(xhr: XMLHttpRequest): ApiError {
  let code = 'HTTP_ERROR';
  let message = `${xhr.status} ${xhr.statusText || 'error'}`.trim();
  try {
    const body = JSON.parse(xhr.responseText) as {
      error?: { code?: string; message?: string } | string;
      detail?: unknown;
    };
    if (typeof body.error === 'object' && body.error) {
      code = body.error.code ?? code;
      message = body.error.message || message;
    } else if (typeof body.error === 'string') message = body.error;
    else if (typeof body.detail === 'string') message = body.detail;
  } catch {
    // Not JSON: keep the status line.
  }
  const retryAfter = Number(xhr.getResponseHeader('Retry-After'));
  return new ApiError(xhr.status, code, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

export function uploadFile(
  file: File,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/upload');
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) return reject(errorFromXhr(xhr));
      try {
        const body = JSON.parse(xhr.responseText) as UploadResponse;
        const uploaded = body.files?.[0];
        if (!uploaded?.temp_path) return reject(new Error('The server did not return the uploaded file.'));
        onProgress(1);
        resolve(uploaded);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    xhr.onerror = () => reject(new Error('Network error during upload.'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
}
