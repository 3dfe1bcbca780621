import { builder } from './builder.js';

/** Result of an idempotent delete. */
export const DeleteResultRef = builder.objectRef<{ deleted: boolean }>('DeleteResult').implement({
  description: 'Result of an idempotent delete.',
  fields: (t) => ({
    deleted: t.exposeBoolean('deleted', { description: 'True when something was deleted; false when there was nothing to delete.' }),
  }),
});
