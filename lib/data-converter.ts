import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, payloadKeysFrom } from './payload-codec';

/**
 * What the client, the worker, the workflow bundle, the replay tests and every tool that reads
 * histories share: the encryption codec when payload keys are configured, and the failure converter
 * that puts failure messages inside the encrypted payloads. Without keys, payloads stay plain.
 */
export function dataConverterFrom(config: {
  PAYLOAD_KEYS?: string | undefined;
  PAYLOAD_KEY_ID?: string | undefined;
}): DataConverter {
  const keys = payloadKeysFrom(config);
  if (!keys) return {};
  return {
    payloadCodecs: [new EncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}

/** What a prebuilt workflow bundle must be given so the worker's converter can use it. */
export const bundleOptionsFor = (converter: DataConverter) =>
  converter.failureConverterPath ? { failureConverterPath: converter.failureConverterPath } : {};
