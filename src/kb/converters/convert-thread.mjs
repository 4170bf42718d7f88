// The conversion thread's entry (isolated.ts). Plain JavaScript: on Node 20 a
// worker thread does not apply the parent's `--import tsx` loader to its own
// entry file, so it registers tsx itself, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./convert-worker.ts');
