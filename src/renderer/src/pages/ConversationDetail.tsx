import { useEffect, useRef } from 'react';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { formatDateTime, formatInt, formatMinutes, formatUsd } from '../lib/format.ts';
import { useApi } from '../lib/useApi.ts';

// One conversation: timing, the estimate and its reasoning, and the exact redacted summary
// that left the machine (the stored JSON, indented for reading; nothing added or removed).

function pretty(summary: string): string {
  try {
    return JSON.stringify(JSON.parse(summary), null, 2);
  } catch {
    return summary;
  }
}

const yesNo = (value: boolean | null): string => (value === null ? '–' : value ? 'yes' : 'no');

export default function ConversationDetail({ conversationId, backQuery }: { conversationId: string; backQuery: string }): React.JSX.Element {
  const detail = useApi('conversations.get', { conversationId });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [conversationId]);
  const d = detail.data;
  return (
    <>
      <div className="page-head">
        <div>
          <p>
            <a href={`#/conversations${backQuery ? `?${backQuery}` : ''}`}>← Back to conversations</a>
          </p>
          <h1 ref={heading} tabIndex={-1}>
            Conversation {conversationId.slice(0, 12)}
          </h1>
          {d && <p>{d.userLabel}</p>}
        </div>
      </div>
      {detail.error && <ErrorMessage message={detail.error} onRetry={detail.reload} />}
      {!d && detail.loading && <Loading />}
      {d && (
        <div className="stack">
          <div className="grid-2">
            <section className="panel" aria-labelledby="timing-title">
              <h2 id="timing-title">Timing</h2>
              <dl className="facts">
                <dt>First message</dt>
                <dd>{formatDateTime(d.firstMessageAt)}</dd>
                <dt>Last message</dt>
                <dd>{formatDateTime(d.lastMessageAt)}</dd>
                <dt>Analysis day</dt>
                <dd>{d.analysisDate}</dd>
                <dt>Span, first to last</dt>
                <dd>{formatMinutes(d.totalMinutes)}</dd>
                <dt>Active</dt>
                <dd>{formatMinutes(d.activeMinutes)}</dd>
                <dt>Idle</dt>
                <dd>{formatMinutes(d.idleMinutes)}</dd>
                <dt>Engaged</dt>
                <dd>{formatMinutes(d.engagedMinutes)}</dd>
                <dt>Messages</dt>
                <dd>
                  {formatInt(d.messageCount)}
                  {d.insights ? ` (${d.insights.userMessages} from the user, ${d.insights.assistantMessages} answers, ${d.insights.branchCount} branches)` : ''}
                </dd>
              </dl>
            </section>
            <section className="panel" aria-labelledby="estimate-title">
              <h2 id="estimate-title">Estimate</h2>
              <dl className="facts">
                <dt>Without AI</dt>
                <dd>
                  {formatMinutes(d.manualMostLikelyMinutes)} (range {formatMinutes(d.manualLowMinutes)} – {formatMinutes(d.manualHighMinutes)})
                </dd>
                <dt>Time saved</dt>
                <dd>
                  {formatMinutes(d.timeSavedEngagedMinutes)} on engaged time · {formatMinutes(d.timeSavedActiveMinutes)} on active time
                </dd>
                <dt>Confidence</dt>
                <dd>{d.confidence ?? '–'} / 100</dd>
                <dt>Category</dt>
                <dd>{d.category ?? 'uncategorised'}</dd>
                <dt>Work related</dt>
                <dd>{yesNo(d.workRelated)}</dd>
                <dt>Task completed</dt>
                <dd>{yesNo(d.taskCompleted)}</dd>
                <dt>Source</dt>
                <dd>
                  {d.estimateSource ?? '–'}
                  {d.model ? ` · ${d.model}` : ''}
                  {d.promptVersion ? ` · prompt ${d.promptVersion}` : ''}
                  {d.estimateRepaired ? ' · repaired (values were reordered or capped)' : ''}
                </dd>
                <dt>Estimate cost</dt>
                <dd>
                  {formatUsd(d.costUsd)} ({formatInt(d.inputTokens)} in / {formatInt(d.outputTokens)} out tokens)
                </dd>
                <dt>Analysed</dt>
                <dd>
                  {formatDateTime(d.processedAt)}
                  {d.runId !== null ? ` in run #${d.runId}` : ''}
                </dd>
              </dl>
            </section>
          </div>
          <section className="panel" aria-labelledby="reason-title">
            <h2 id="reason-title">Reasoning</h2>
            <p>{d.reasoning ?? 'The estimator gave no reasoning.'}</p>
          </section>
          <section className="panel" aria-labelledby="summary-title">
            <h2 id="summary-title">Redacted summary sent to the estimator</h2>
            {d.summarySent ? (
              <>
                <pre className="summary" data-testid="summary-sent" tabIndex={0}>
                  {pretty(d.summarySent)}
                </pre>
                <p className="note">This is everything about the conversation that left this machine; e-mail addresses, numbers, keys and URL paths were removed before it was built.</p>
              </>
            ) : (
              <p>No summary was stored for this conversation.</p>
            )}
          </section>
        </div>
      )}
    </>
  );
}
