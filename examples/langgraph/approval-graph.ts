import { Annotation, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';

/** The graph's state: a topic in, a draft, a reviewer's decision, the published text out. */
export const ApprovalState = Annotation.Root({
  topic: Annotation<string>(),
  draft: Annotation<string>(),
  approved: Annotation<boolean>(),
  published: Annotation<string>(),
});

/**
 * write_draft → review → publish_post. `review` calls interrupt(): the run stops there, its state saved by
 * the checkpointer, until someone resumes it with the reviewer's answer — possibly another
 * process, hours later, after a restart.
 */
export function buildApprovalGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(ApprovalState)
    .addNode('write_draft', (state) => ({ draft: `Five facts about ${state.topic}` }))
    .addNode('review', (state) => {
      const answer = interrupt({ question: 'Publish this draft?', draft: state.draft });
      return { approved: answer === 'yes' };
    })
    .addNode('publish_post', (state) => ({ published: state.approved ? `PUBLISHED: ${state.draft}` : 'not published' }))
    .addEdge(START, 'write_draft')
    .addEdge('write_draft', 'review')
    .addEdge('review', 'publish_post')
    .addEdge('publish_post', END)
    .compile({ checkpointer });
}
