/** Limits every converter works within (a corrupt or hostile file must not exhaust memory). */
import type JSZip from 'jszip';
import { KbError } from '../types.ts';

export interface ConvertLimits {
  readonly maxSourceBytes: number;
  readonly maxConvertedBytes: number;
}

/** Refuses archives (docx, pptx, xlsx) that would expand past a bound: zip bombs. */
export function checkZipExpansion(zip: JSZip, maxBytes: number, name: string): void {
  let total = 0;
  let entries = 0;
  zip.forEach((_path, file) => {
    entries++;
    const size = (file as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
    total += size;
  });
  if (entries > 20_000 || total > maxBytes) {
    throw new KbError('KB_TOO_LARGE', `${name} expands to more than ${Math.round(maxBytes / 1048576)} MB`, 413);
  }
}

export function checkConvertedSize(markdown: string, limits: ConvertLimits, name: string): void {
  if (Buffer.byteLength(markdown) > limits.maxConvertedBytes) {
    throw new KbError('KB_TOO_LARGE', `${name} converts to more text than the limit allows`, 413);
  }
}

export function convertFailed(name: string, why: string): KbError {
  return new KbError('KB_CONVERT_FAILED', `Could not convert ${name}: ${why}`, 422);
}
