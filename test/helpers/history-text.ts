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
