#!/usr/bin/env node
// The `cryo` command (package.json "bin"): loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
