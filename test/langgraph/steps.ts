import type { RunnableConfig } from '@langchain/core/runnables';
import { type BaseCheckpointSaver, type Checkpoint, uuid6 } from '@langchain/langgraph-checkpoint';

/**
 * Drives a saver the way a LangGraph run does, without a graph: `steps` checkpoints in a chain,
 * each with one task write. Channel `count` changes every step; channel `first` only at step 0
 * (so later checkpoints carry it over from the first entry).
 */
export async function runSteps(
  saver: BaseCheckpointSaver,
  threadId: string,
  steps: number,
  options: { checkpointNs?: string; onStep?: (config: RunnableConfig, step: number) => Promise<void> } = {},
): Promise<RunnableConfig[]> {
  const configs: RunnableConfig[] = [];
  let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: options.checkpointNs ?? '' } };
  for (let step = 0; step < steps; step += 1) {
    const checkpoint: Checkpoint = {
      v: 4,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: { first: 'kept from step 0', count: step },
      channel_versions: { first: 1, count: step + 1 },
      versions_seen: { node: { count: step } },
    };
    const newVersions: Record<string, number> = step === 0 ? { first: 1, count: 1 } : { count: step + 1 };
    config = await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, newVersions);
    await saver.putWrites(config, [['count', step + 1]], `task-${step}`);
    await options.onStep?.(config, step);
    configs.push(config);
  }
  return configs;
}
