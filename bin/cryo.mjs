#!/usr/bin/env node
// The `cryo` command (package.json "bin"): loads the TypeScript sources through tsx.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

registerHooks('./source-condition.mjs', import.meta.url);
register();
await import('../src/cli/index.ts');
