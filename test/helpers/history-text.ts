import type { Payload, PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

/**
 * Everything a history says, as text: every string field of every event, and every payload
 * (data and metadata) decoded with the codec when it is encrypted. What a scan for words reads.
 */
export async function textOfHistory(
  history: temporal.api.history.v1.IHistory,
  codec?: PayloadCodec,
): Promise<string> {
  const parts: string[] = [];
  const payloads: Payload[] = [];
  const walk = (value: unknown) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') return void parts.push(value);
    if (value instanceof Uint8Array) return void parts.push(Buffer.from(value).toString('utf8'));
    if (typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record.metadata && 'data' in record) payloads.push(record);
    for (const child of Object.values(record)) walk(child);
  };
  walk(history.events ?? []);
  const decoded = codec ? await codec.decode(payloads) : payloads;
  for (const payload of decoded) {
    for (const value of Object.values(payload.metadata ?? {}))
      parts.push(Buffer.from(value ?? []).toString('utf8'));
    parts.push(Buffer.from(payload.data ?? []).toString('utf8'));
  }
  return parts.join('\n');
}

/**
 * The words people sent into a workflow. They can only come in where a caller hands the workflow
 * something: its start input (the posting) and the arguments of Updates and Signals (applications,
 * submissions, reviews, reasons, feedback, offers). There, every string of the decoded JSON, at any
 * depth, that reads as prose (holds a space or ends with '.') or is a link (a submission's) counts.
 * Ids, emails, enums and dates are neither; the text the code writes itself (activity summaries,
 * "Applicant 1", Stripe's decline message) comes in as results, so it is not counted.
 */
export async function wordsSentIn(
  history: temporal.api.history.v1.IHistory,
  codec?: PayloadCodec,
): Promise<string[]> {
  const sent = (history.events ?? []).flatMap(
    (event) =>
      [
        event.workflowExecutionStartedEventAttributes?.input,
        event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args,
        event.workflowExecutionSignaledEventAttributes?.input,
      ].flatMap((payloads) => payloads?.payloads ?? []) as Payload[],
  );
  const words = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && / |\.$|^https?:\/\//.test(value)) words.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const payload of codec ? await codec.decode(sent) : sent) {
    if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'json/plain') continue;
    collect(JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')));
  }
  return [...words];
}

/**
 * A pattern for a word as it would be written again: the unique suffix a test adds to a title
 * (`uniqueSuffix()`, 10 to 16 letters and digits) matches any other such suffix.
 */
export function patternOfWord(word: string): RegExp {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    escaped.replace(/\b(?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{10,16}\b/g, '[0-9a-z]{10,16}'),
  );
}
