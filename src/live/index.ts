/** The live layer: catch-up-then-live thread subscriptions and checkpoint events over any Storage. */
export { LiveHub, liveHubFor } from './live-hub.js';
export type { CheckpointEventsOptions, LiveStats, ThreadEntriesOptions } from './live-hub.js';
export type { CheckpointEvent, LiveOptions, ThreadEntriesEvent } from './events.js';
export { SubscriberTooSlow } from './checkpoint-events.js';
export type { ThreadSubscriptionStats } from './thread-entries.js';
