import type { Identity } from '../auth/identity.js';
import { issueApiKey } from '../auth/issue-api-key.js';
import type { ApiKeyRecord } from '../domain/api-key.js';
import { ValidationError } from '../domain/errors.js';
import { validatePageSize } from '../domain/validate.js';
import { builder } from './builder.js';
import { apiKeyCursor, decodeApiKeyCursor } from './cursors.js';
import { DeleteResultRef } from './delete-result.js';
import { DateTimeScalar } from './scalars.js';

/** Identity: `viewer` (who am I), and the API keys of the caller's namespace (admin scope). */

const ViewerRef = builder.objectRef<Identity>('Viewer').implement({
  description: 'The caller, as its credential describes it.',
  fields: (t) => ({
    namespace: t.exposeString('namespace', { description: 'The namespace every call of this credential reads and writes.' }),
    scopes: t.stringList({
      description: 'Granted scopes (read, write, admin, metrics; admin includes read and write), sorted.',
      resolve: (identity) => [...identity.scopes].sort(),
    }),
    authenticated: t.exposeBoolean('authenticated', { description: 'False when the server runs with auth off (every caller is "default" with all scopes).' }),
    expiresAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      description: 'When the credential stops working; null: never (until revoked).',
      resolve: (identity) => identity.expiresAt,
    }),
    keyId: t.id({ nullable: true, description: 'The API key used, or null (JWT, or auth off).', resolve: (identity) => identity.keyId }),
  }),
});

const ApiKeyRef = builder.objectRef<ApiKeyRecord>('ApiKey').implement({
  description: 'An API key of the namespace. Its secret is never shown again after creation (only its hash is stored).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Public id; also the part of the token after `cryo_`.' }),
    label: t.exposeString('label', { nullable: true, description: 'What the key is for, as given at creation.' }),
    namespace: t.exposeString('namespace', { description: 'The namespace the key acts in.' }),
    scopes: t.exposeStringList('scopes', { description: 'Granted scopes.' }),
    createdAt: t.field({ type: DateTimeScalar, description: 'When it was created.', resolve: (k) => k.createdAt }),
    expiresAt: t.field({ type: DateTimeScalar, nullable: true, description: 'When it stops working; null: never.', resolve: (k) => k.expiresAt }),
    revokedAt: t.field({ type: DateTimeScalar, nullable: true, description: 'When it was revoked; null: active.', resolve: (k) => k.revokedAt }),
  }),
});

const ApiKeyConnectionRef = builder.connectionObject(
  { type: ApiKeyRef, name: 'ApiKeyConnection', description: 'A page of API keys, ordered by id.' },
  { name: 'ApiKeyEdge', description: 'An API key with its cursor.' },
);

const CreateApiKeyInputRef = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key of the caller\'s namespace.',
  fields: (t) => ({
    label: t.string({ description: 'What the key is for (shown in listings).' }),
    scopes: t.stringList({ required: true, description: 'Scopes to grant: read, write, admin, metrics.' }),
    expiresInSeconds: t.int({ description: 'Lifetime in seconds; omitted: until revoked.' }),
  }),
});

const CreateApiKeySuccessRef = builder.objectRef<{ apiKey: ApiKeyRecord; secret: string }>('CreateApiKeySuccess').implement({
  description: 'The key was created. Keep the secret: it is shown only in this answer.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, description: 'The new key.', resolve: (r) => r.apiKey }),
    secret: t.exposeString('secret', { description: 'The token to send as `Authorization: Bearer <secret>`. Never stored, never shown again.' }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: 'Who the caller is: namespace, scopes, expiry.',
    resolve: (_root, _args, ctx) => ctx.identity,
  }),
  apiKeys: t.field({
    type: ApiKeyConnectionRef,
    description: 'The API keys of the namespace, revoked and expired ones included, ordered by id (scope admin).',
    skipTypeScopes: true,
    authScopes: { admin: true },
    args: {
      first: t.arg.int({ description: 'Page size (1..500, default 50).' }),
      after: t.arg.string({ description: 'Return keys after this cursor.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = validatePageSize(args.first, 'first', ctx.limits);
      const after = args.after == null ? null : decodeApiKeyCursor(args.after, 'after');
      const page = await ctx.storage.listApiKeys({ namespace: ctx.namespace, first, after });
      const edges = page.items.map((node) => ({ cursor: apiKeyCursor(node.id), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasMore,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeySuccessRef,
    description: 'Creates an API key of the caller\'s namespace (scope admin). The secret is in the answer only.',
    skipTypeScopes: true,
    authScopes: { admin: true },
    errors: {
      types: [ValidationError],
      union: { name: 'CreateApiKeyResult', description: 'The new key and its secret, or why none was created.' },
    },
    args: { input: t.arg({ type: CreateApiKeyInputRef, required: true, description: 'Label, scopes, lifetime.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { record, secret } = await issueApiKey(ctx.storage, {
        namespace: ctx.namespace,
        label: input.label,
        scopes: input.scopes,
        expiresInSeconds: input.expiresInSeconds,
      });
      ctx.logger.info({ keyId: record.id, namespace: record.namespace, scopes: record.scopes }, 'API key created');
      return { apiKey: record, secret };
    },
  }),
  revokeApiKey: t.field({
    type: DeleteResultRef,
    description:
      'Revokes an API key of the caller\'s namespace (scope admin). Idempotent; false when no active key of this namespace has the id. Sockets using it are closed within seconds, on every instance.',
    skipTypeScopes: true,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true, description: 'The key to revoke.' }) },
    resolve: async (_root, args, ctx) => {
      const deleted = await ctx.storage.revokeApiKey({ namespace: ctx.namespace, id: args.id });
      if (deleted) ctx.logger.info({ keyId: args.id, namespace: ctx.namespace }, 'API key revoked');
      return { deleted };
    },
  }),
}));
