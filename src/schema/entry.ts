import type { Entry } from '../domain/types.js';
import { builder } from './builder.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';

/** The Entry object type, its input, and the EntryConnection. Paging lives in entry-page.ts. */

export const EntryRef = builder.objectRef<Entry>('Entry').implement({
  description: "One immutable journal entry. `seq` is assigned by the store: 0-based and contiguous within its thread.",
  fields: (t) => ({
    id: t.exposeID('id', { description: "The entry's id: the caller's, or a generated, time-ordered UUIDv7." }),
    threadId: t.exposeID('threadId', { description: 'The thread this entry belongs to.' }),
    seq: t.exposeInt('seq', { description: 'Position in the thread: 0-based, contiguous, assigned by the store.' }),
    at: t.field({ type: DateTimeScalar, description: "When it happened: the caller's time, or the server's time when none was given.", resolve: (e) => e.at }),
    kind: t.exposeString('kind', { description: 'A short label, `[A-Za-z0-9_.:-]`, default "note".' }),
    payload: t.field({ type: JSONObjectScalar, description: 'The entry body (a JSON object, default {}).', resolve: (e) => e.payload }),
    refs: t.field({ type: JSONObjectScalar, description: 'References to other things (a JSON object, default {}).', resolve: (e) => e.refs }),
  }),
});

/** EntryConnection / EntryEdge (relay plugin) with totalCount; resolved by readEntryPage. */
export const EntryConnectionRef = builder.connectionObject<typeof EntryRef, { totalCount: number }>(
  {
    type: EntryRef,
    name: 'EntryConnection',
    description: 'A page of a thread journal, ordered by seq.',
    fields: (t) => ({
      totalCount: t.int({
        description: "The number of entries the whole thread stores (rev - firstSeq), not only in this page.",
        resolve: (page) => page.totalCount,
      }),
    }),
  },
  { name: 'EntryEdge', description: 'An entry with its cursor.' },
);

/** The EntryInput input type; the domain validates and defaults it (prepareAppend). */
export const EntryInputRef = builder.inputType('EntryInput', {
  description: 'One entry to append. Every field is optional.',
  fields: (t) => ({
    id: t.id({ description: 'The entry id; generated when absent. Give ids to make retries idempotent.' }),
    kind: t.string({ description: 'A short label, 1..64 chars of `[A-Za-z0-9_.:-]`; default "note".' }),
    payload: t.field({ type: JSONObjectScalar, description: 'The entry body; default {}.' }),
    refs: t.field({ type: JSONObjectScalar, description: 'References to other things; default {}.' }),
    at: t.field({ type: DateTimeScalar, description: 'When it happened; default: server time.' }),
  }),
});
