import { createRequire } from 'node:module';
import { builder } from './builder.js';

/** Version from package.json, read once at import. */
const CRYO_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

builder.queryField('serverInfo', (t) =>
  t.field({
    type: builder.objectRef<{ version: string; storage: string }>('ServerInfo').implement({
      description: 'What this server is and what it stores into.',
      fields: (f) => ({
        version: f.exposeString('version', { description: "Cryo's version." }),
        storage: f.exposeString('storage', { description: 'The storage adapter kind: "memory", "file" or "redis".' }),
      }),
    }),
    description: 'The server version and storage kind.',
    resolve: (_root, _args, ctx) => ({ version: CRYO_VERSION, storage: ctx.storage.kind }),
  }),
);
