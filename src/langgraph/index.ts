/**
 * `cryo/langgraph`: a LangGraph.js checkpoint saver backed by a Cryo server.
 *
 *     const checkpointer = new CryoSaver({ url: 'http://127.0.0.1:4000/graphql' });
 */
export { CryoSaver, type CryoSaverOptions } from './cryo-saver.js';
export { CryoSaverConflictError, CryoSaverError } from './errors.js';
export { CHECKPOINT_KIND, INDEX_AGENT_TYPE, LATEST_AGENT_TYPE, runKey, WRITES_KIND } from './thread-key.js';
