import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Every payload Temporal stores (workflow inputs, Update and Signal arguments, activity inputs and
 * results, memo, query answers, failure messages with the failure converter below) is the whole
 * original payload, encoded as protobuf and sealed with AES-256-GCM. The key's id travels in the
 * payload's metadata: one key writes, older keys still read, so a key is rotated by adding a new
 * one as the writer and keeping the old ones until nothing they wrote is retained.
 */
export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array | null | undefined) => (value ? new TextDecoder().decode(value) : '');

export interface PayloadKeys {
  /** The id of the key that encrypts from now on. */
  writeKeyId: string;
  /** Every key that may still be needed to decrypt, by id (the writing key among them). */
  keys: Map<string, Buffer>;
}

export class UnknownPayloadKeyError extends Error {
  override name = 'UnknownPayloadKeyError';
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {
    const writer = keys.keys.get(keys.writeKeyId);
    if (!writer) throw new Error(`the writing key ${keys.writeKeyId} is not among the keys`);
    for (const [id, key] of keys.keys) {
      if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes (AES-256), not ${key.length}`);
    }
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return settled(() => payloads.map((payload) => this.seal(payload)));
  }

  /** Payloads that are not encrypted (histories from before, search attributes) pass unchanged. */
  decode(payloads: Payload[]): Promise<Payload[]> {
    return settled(() => payloads.map((payload) => this.open(payload)));
  }

  private seal(payload: Payload): Payload {
    const key = this.keys.keys.get(this.keys.writeKeyId)!;
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8(ENCODING_ENCRYPTED),
        [METADATA_KEY_ID]: utf8(this.keys.writeKeyId),
      },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING_ENCRYPTED) return payload;
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    const key = this.keys.keys.get(keyId);
    if (!key) throw new UnknownPayloadKeyError(`no payload key with the id "${keyId}"`);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The result of synchronous work as a promise: PayloadCodec is asynchronous, AES here is not. */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Keys from the configuration: `PAYLOAD_KEYS` as `id:base64key,id:base64key` and `PAYLOAD_KEY_ID`
 * naming the one that writes. Undefined when encryption is off (no keys given).
 */
export function payloadKeysFrom(config: {
  PAYLOAD_KEYS?: string | undefined;
  PAYLOAD_KEY_ID?: string | undefined;
}): PayloadKeys | undefined {
  if (!config.PAYLOAD_KEYS) return undefined;
  const keys = new Map<string, Buffer>();
  for (const entry of config.PAYLOAD_KEYS.split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf(':');
    if (at <= 0) throw new Error('PAYLOAD_KEYS: each key is id:base64');
    keys.set(entry.slice(0, at), Buffer.from(entry.slice(at + 1), 'base64'));
  }
  const writeKeyId = config.PAYLOAD_KEY_ID ?? [...keys.keys()].at(-1)!;
  return { writeKeyId, keys };
}
