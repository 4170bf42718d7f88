// The conversion thread's entry (isolated.ts). Plain JavaScript: on Node 20 a
// worker thread does not apply the parent's `--import tsx` loader to its own
// entry file, so it registers tsx itself, then loads the TypeScript worker.
//
// pdf.js (plain JavaScript, ~3 MB with source maps) is loaded first, before
// tsx is registered: through tsx it was transformed and its source maps parsed,
// which kept ~400 MB resident in this thread and its loader thread for the
// server's lifetime. Loaded here it costs what the library itself needs, and
// the first PDF does not wait for it.
import { register } from 'tsx/esm/api';

try {
  await import('pdfjs-dist/legacy/build/pdf.mjs');
  await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
} catch {
  // loaded again (and its failure reported) by the first PDF
}
register();
await import('./convert-worker.ts');
