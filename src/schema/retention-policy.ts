import type { RetentionPolicy } from '../domain/types.js';
import { builder } from './builder.js';

/**
 * The RetentionPolicy type and its input (rules: src/domain/retention.ts, docs/architecture.md
 * "Retention"). Shared by Thread, appendEntries and setThreadRetention.
 */

export const RetentionPolicyRef = builder.objectRef<RetentionPolicy>('RetentionPolicy').implement({
  description:
    "A thread's retention policy: the store trims it to its last maxEntries entries (on append) and drops entries older than maxAgeSeconds (by the periodic sweep), never past a checkpoint's pointer. A null bound sets no limit.",
  fields: (t) => ({
    maxEntries: t.exposeInt('maxEntries', {
      nullable: true,
      description: 'Keep at most this many entries (the newest); null: no count bound.',
    }),
    maxAgeSeconds: t.exposeInt('maxAgeSeconds', {
      nullable: true,
      description: "Drop entries whose `at` is older than this many seconds (applied by the server's sweep); null: no age bound.",
    }),
  }),
});

export const RetentionPolicyInputRef = builder.inputType('RetentionPolicyInput', {
  description: 'A retention policy. Each bound is optional (1..2147483647); neither set means no policy.',
  fields: (t) => ({
    maxEntries: t.int({ description: 'Keep at most this many entries (the newest), as far as checkpoints allow.' }),
    maxAgeSeconds: t.int({ description: 'Drop entries older than this many seconds (by `at`), as far as checkpoints allow.' }),
  }),
});
