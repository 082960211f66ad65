import { parentPort } from 'node:worker_threads';
import { analyseConversation } from './analysis.ts';
import type { AnalysisReply, AnalysisTask } from './analysis-pool.ts';

// Worker thread entry of the analysis pool: analyses one conversation per message, in order.

const port = parentPort;
if (!port) throw new Error('analysis-worker runs only as a worker thread');

port.on('message', (task: AnalysisTask) => {
  let reply: AnalysisReply;
  try {
    reply = { id: task.id, analysis: analyseConversation(task.conversation, task.settings) };
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
