#!/usr/bin/env node
// Docent's command line: runs src/cli.ts through tsx (the project has no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
