/**
 * Placeholder: the Subscription root (threadEntries, checkpointEvents) and its event types are
 * owned by the "live" helper, who replaces this file. src/schema/index.ts imports it for its
 * side effects (builder.subscriptionType / builder.subscriptionField calls), like every other
 * schema module.
 */
export {};
