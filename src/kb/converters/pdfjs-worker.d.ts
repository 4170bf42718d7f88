/** pdf.js ships no types for its worker module, which convert-worker.ts only preloads. */
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs' {
  export const WorkerMessageHandler: unknown;
}
