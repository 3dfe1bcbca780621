import type { ChannelVersions, Checkpoint, CheckpointMetadata, SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { encodeValue, type StoredValue } from './codec.js';
import { type BlobRef, type CheckpointPayload, checkpointEntryId } from './entries.js';
import { CHECKPOINT_KIND } from './thread-key.js';

/** A checkpoint's serialized parts that do not depend on where it lands in the journal. */
export interface StoredHeader {
  checkpoint: StoredValue;
  metadata: StoredValue;
}

/** Serializes the checkpoint without its channel values, and its metadata. */
export async function storedHeader(serde: SerializerProtocol, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<StoredHeader> {
  const { channel_values: _values, ...rest } = checkpoint;
  const [storedCheckpoint, storedMetadata] = await Promise.all([encodeValue(serde, rest), encodeValue(serde, metadata)]);
  return { checkpoint: storedCheckpoint, metadata: storedMetadata };
}

/**
 * The journal entry of a checkpoint put at `seq`: the values of the channels in `newVersions`
 * (those present in channel_values; a channel in newVersions without a value has none, as in
 * LangGraph's SQL savers), and for every other channel the parent's [version, seq] when the
 * version is unchanged. Returns the entry and its blobs (kept as the run's latest, for the next put).
 */
export async function checkpointEntry(
  serde: SerializerProtocol,
  input: {
    checkpoint: Checkpoint;
    parentId: string | null;
    parentBlobs: Record<string, BlobRef>;
    newVersions: ChannelVersions;
    seq: number;
    stored: StoredHeader;
  },
): Promise<{ entry: { id: string; kind: string; payload: Record<string, unknown> }; blobs: Record<string, BlobRef> }> {
  const { checkpoint, newVersions, seq } = input;
  const values = checkpoint.channel_values as Record<string, unknown>;
  const blobs: Record<string, BlobRef> = {};
  for (const [channel, ref] of Object.entries(input.parentBlobs)) {
    if (checkpoint.channel_versions[channel] === ref[0]) blobs[channel] = ref;
  }
  const changed: CheckpointPayload['values'] = {};
  for (const [channel, version] of Object.entries(newVersions)) {
    if (channel in values) {
      changed[channel] = await encodeValue(serde, values[channel]);
      blobs[channel] = [version, seq];
    } else {
      delete blobs[channel];
    }
  }
  const payload: CheckpointPayload = {
    checkpointId: checkpoint.id,
    parentId: input.parentId,
    checkpoint: input.stored.checkpoint,
    metadata: input.stored.metadata,
    values: changed,
    blobs,
  };
  return { entry: { id: checkpointEntryId(checkpoint.id), kind: CHECKPOINT_KIND, payload: payload as unknown as Record<string, unknown> }, blobs };
}
