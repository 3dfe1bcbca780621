import { RequestCache } from '@pothos/plugin-scope-auth';
import type { Plugin } from 'graphql-yoga';

/**
 * A Yoga plugin that drops the per-operation cache of Pothos scope-auth (granted scopes, keyed
 * by the operation's context in a WeakMap) once a query or mutation has executed. V8's young
 * generation collector keeps every WeakMap value alive, and that cache's value holds the
 * context, so each operation's request, headers, body and context survived into the old
 * generation: ~1 MB copied and promoted per minor GC under load, about a tenth of an append's
 * server CPU (bench/README.md). Nothing reads the cache after execution. Subscriptions keep
 * theirs (their context lives as long as the stream). It does NOT change what is authorized.
 */
export function useReleaseRequestCaches(): Plugin {
  return {
    onExecute({ context }) {
      return {
        onExecuteDone() {
          RequestCache.clearForContext(context);
        },
      };
    },
  };
}
