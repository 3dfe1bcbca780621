import { Command } from '@langchain/langgraph';
import { CryoSaver } from 'cryo/langgraph';
import { buildApprovalGraph } from './approval-graph.js';

/**
 * One half of an approval run, as its own process:
 *
 *     CRYO_URL=http://127.0.0.1:4000/graphql npx tsx examples/langgraph/run.ts start  <thread-id> <topic>
 *     CRYO_URL=http://127.0.0.1:4000/graphql npx tsx examples/langgraph/run.ts resume <thread-id> yes|no
 *
 * `start` runs until the review interrupts and exits; `resume` (any process, after any restart)
 * loads the run from Cryo and finishes it. Each prints one JSON line.
 */
const [command, threadId, argument] = process.argv.slice(2);
const url = process.env.CRYO_URL ?? 'http://127.0.0.1:4000/graphql';
if ((command !== 'start' && command !== 'resume') || !threadId || !argument) {
  console.error('usage: run.ts start <thread-id> <topic> | run.ts resume <thread-id> yes|no');
  process.exit(2);
}

const checkpointer = new CryoSaver({ url, fence: true });
const graph = buildApprovalGraph(checkpointer);
const config = { configurable: { thread_id: threadId } };
try {
  if (command === 'start') {
    const result = await graph.invoke({ topic: argument }, config);
    const interrupts = (result as { __interrupt__?: { value: unknown }[] }).__interrupt__ ?? [];
    console.log(JSON.stringify({ pid: process.pid, waitingFor: interrupts.map((item) => item.value) }));
  } else {
    const result = await graph.invoke(new Command({ resume: argument }), config);
    console.log(JSON.stringify({ pid: process.pid, published: result.published, approved: result.approved }));
  }
} finally {
  await checkpointer.close();
}
