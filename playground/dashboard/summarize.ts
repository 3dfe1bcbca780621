import { jsonPreview } from './format.js';

/** What a journal row shows of an entry: a headline and a muted detail line (either may be empty). */
export interface EntrySummary {
  headline: string;
  detail: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Text of a chat-style content: a string, or an array of parts with `text`. */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content.map((part) => (typeof part === 'string' ? part : isObject(part) && typeof part.text === 'string' ? part.text : '')).filter(Boolean);
    return parts.length > 0 ? parts.join(' ') : null;
  }
  return null;
}

/** One chat message ({role, content} / LangChain {type, content} / {kwargs: {content}}) as "role: text". */
function messageText(message: unknown): string | null {
  if (!isObject(message)) return contentText(message);
  const body = isObject(message.kwargs) ? message.kwargs : message;
  const text = contentText(body.content) ?? (typeof body.text === 'string' ? body.text : null);
  const role = typeof body.role === 'string' ? body.role : typeof body.type === 'string' ? body.type : null;
  const toolCalls = Array.isArray(body.tool_calls) ? body.tool_calls : [];
  const calls = toolCalls.map((call) => (isObject(call) && typeof call.name === 'string' ? `${call.name}()` : '')).filter(Boolean);
  const said = text ?? (calls.length > 0 ? `calls ${calls.join(', ')}` : null);
  if (said === null) return null;
  return role ? `${role}: ${said}` : said;
}

/** The fields not already shown, as compact JSON (empty when none). */
function rest(payload: Json, shown: string[]): string {
  const others = Object.fromEntries(Object.entries(payload).filter(([key]) => !shown.includes(key)));
  return Object.keys(others).length > 0 ? jsonPreview(others, 400) : '';
}

/** LangGraph checkpoint / pending-writes entries (payload with `checkpoint` or `writes`). */
function langGraph(payload: Json): EntrySummary | null {
  const checkpoint = isObject(payload.checkpoint) ? payload.checkpoint : null;
  const metadata = isObject(payload.metadata) ? payload.metadata : null;
  if (checkpoint) {
    const channels = isObject(checkpoint.channel_values) ? checkpoint.channel_values : {};
    const messages = Array.isArray(channels.messages) ? channels.messages : [];
    const step = metadata && typeof metadata.step === 'number' ? `step ${metadata.step}` : 'checkpoint';
    const source = metadata && typeof metadata.source === 'string' ? ` (${metadata.source})` : '';
    const last = messages.length > 0 ? messageText(messages[messages.length - 1]) : null;
    return {
      headline: `${step}${source}${last ? ` · ${last}` : ''}`,
      detail: `channels: ${Object.keys(channels).join(', ') || 'none'}${messages.length ? ` · ${messages.length} messages` : ''}`,
    };
  }
  if (Array.isArray(payload.writes)) {
    const channels = payload.writes.map((write) => (Array.isArray(write) ? String(write[0]) : isObject(write) ? String(write.channel ?? '?') : '?'));
    const task = typeof payload.task_id === 'string' ? ` · task ${payload.task_id.slice(0, 8)}` : '';
    return { headline: `writes ${channels.join(', ') || '(none)'}${task}`, detail: rest(payload, ['writes', 'task_id']) };
  }
  return null;
}

/**
 * A one-glance summary of an entry for its row, whatever its kind: chat text (`text`, `message`,
 * `content`, `messages`), tool calls (`name`/`tool` with `args`/`input`), errors, LangGraph
 * checkpoints and writes; else the payload's fields. Never throws; the drawer shows everything.
 */
export function summarizeEntry(entry: { kind: string; payload: Json; refs: Json }): EntrySummary {
  const payload = entry.payload;
  const refs = Object.keys(entry.refs).length > 0 ? `refs ${jsonPreview(entry.refs, 160)}` : '';
  const withRefs = (summary: EntrySummary): EntrySummary => ({
    headline: oneLine(summary.headline).slice(0, 400),
    detail: oneLine([summary.detail, refs].filter(Boolean).join(' · ')).slice(0, 400),
  });
  for (const key of ['text', 'message', 'content']) {
    const text = contentText(payload[key]);
    if (text !== null) return withRefs({ headline: text, detail: rest(payload, [key]) });
  }
  if (Array.isArray(payload.messages) && payload.messages.length > 0) {
    const last = messageText(payload.messages[payload.messages.length - 1]);
    if (last) return withRefs({ headline: last, detail: `${payload.messages.length} messages · ${rest(payload, ['messages'])}` });
  }
  const graph = langGraph(payload);
  if (graph) return withRefs(graph);
  const tool = typeof payload.name === 'string' ? payload.name : typeof payload.tool === 'string' ? payload.tool : null;
  if (tool) {
    const args = payload.args ?? payload.input ?? payload.arguments;
    const output = payload.output ?? payload.result;
    return withRefs({
      headline: `${tool}(${args === undefined ? '' : jsonPreview(args, 160)})${output === undefined ? '' : ` → ${jsonPreview(output, 160)}`}`,
      detail: rest(payload, ['name', 'tool', 'args', 'input', 'arguments', 'output', 'result']),
    });
  }
  const error = payload.error;
  if (error !== undefined) {
    const message = isObject(error) && typeof error.message === 'string' ? error.message : typeof error === 'string' ? error : jsonPreview(error, 200);
    return withRefs({ headline: `error: ${message}`, detail: rest(payload, ['error']) });
  }
  const keys = Object.keys(payload);
  if (keys.length === 0) return withRefs({ headline: '(empty payload)', detail: '' });
  const headline = keys
    .slice(0, 4)
    .map((key) => `${key}: ${typeof payload[key] === 'string' ? payload[key] : jsonPreview(payload[key], 80)}`)
    .join(' · ');
  return withRefs({ headline, detail: keys.length > 4 ? rest(payload, keys.slice(0, 4)) : '' });
}

/** All of an entry's text, lower-cased, for the journal's search box. */
export function searchableText(entry: { id: string; kind: string; payload: Json; refs: Json }): string {
  return `${entry.id} ${entry.kind} ${JSON.stringify(entry.payload)} ${JSON.stringify(entry.refs)}`.toLowerCase();
}
