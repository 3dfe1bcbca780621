/** The subset of a checkpoint the status needs (matches the CheckpointFields fragment). */
export interface PointerLike {
  thread: { id: string; rev: number; thread: { rev: number } | null } | null;
}

/**
 * How a checkpoint's pointer relates to its journal:
 * - `in-sync`: the thread's rev equals the pointer's rev (thaw succeeds);
 * - `journal-ahead`: the thread has `by` entries the checkpoint has not seen (a crash between
 *   flush and checkpoint, or an agent still running; thaw needs allowJournalAhead);
 * - `journal-behind`: the thread has fewer entries than the pointer claims (should never happen);
 * - `missing-thread`: the thread was deleted (thaw reports MissingThread);
 * - `no-thread`: the checkpoint points at no thread.
 * `liveRev` overrides the fetched thread rev when the dashboard knows a newer one.
 */
export type PointerStatus =
  | { kind: 'no-thread' }
  | { kind: 'missing-thread' }
  | { kind: 'in-sync' }
  | { kind: 'journal-ahead'; by: number }
  | { kind: 'journal-behind'; by: number };

/** Compares a checkpoint's pointer rev with its thread's rev (see PointerStatus). Pure. */
export function pointerStatus(checkpoint: PointerLike, liveRev?: number): PointerStatus {
  const pointer = checkpoint.thread;
  if (!pointer) return { kind: 'no-thread' };
  if (!pointer.thread) return { kind: 'missing-thread' };
  const rev = Math.max(pointer.thread.rev, liveRev ?? 0);
  if (rev === pointer.rev) return { kind: 'in-sync' };
  return rev > pointer.rev ? { kind: 'journal-ahead', by: rev - pointer.rev } : { kind: 'journal-behind', by: pointer.rev - rev };
}

/** A short human label for a status. */
export function pointerStatusLabel(status: PointerStatus): string {
  switch (status.kind) {
    case 'no-thread':
      return 'no thread';
    case 'missing-thread':
      return 'missing thread';
    case 'in-sync':
      return 'in sync';
    case 'journal-ahead':
      return `journal ahead +${status.by}`;
    case 'journal-behind':
      return `journal behind −${status.by}`;
  }
}
