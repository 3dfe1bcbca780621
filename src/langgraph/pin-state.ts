/**
 * What a run's pin holds, as a saver last wrote or read it (README "Retention: the pin"): the
 * pinned seq (its pointer's rev) and the checkpoint whose put last moved it there. A put whose pin
 * would stay at `at` re-sends exactly this (a replay: Cryo checks it and writes nothing).
 */
export interface PinState {
  /** The pin's pointer rev: the lowest seq the latest checkpoints read. */
  at: number;
  /** The checkpoint whose put last moved the pin (its state `{ checkpointId }`). */
  checkpointId: string;
}

/** The PinState of a pin as read from Cryo; undefined when there is none or it is not one a saver wrote. */
export function pinState(pin: { state: Record<string, unknown>; thread?: { rev: number } | null } | null | undefined): PinState | undefined {
  const checkpointId = pin?.state['checkpointId'];
  const at = pin?.thread?.rev;
  // Only a state of exactly { checkpointId } can be re-sent as a replay of what is stored.
  if (typeof checkpointId !== 'string' || at === undefined || Object.keys(pin!.state).length !== 1) return undefined;
  return { at, checkpointId };
}
