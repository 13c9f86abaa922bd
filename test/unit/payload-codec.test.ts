/** The payload codec: AES-256-GCM, the key's id in the metadata, rotation without a stop. */
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, payloadKeysFrom, UnknownPayloadKeyError } from '../../lib/payload-codec';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const text = (bytes?: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());
const payload = defaultPayloadConverter.toPayload({ pitch: 'SENTINEL-pitch-words' });

test('a payload is sealed whole: encoding binary/encrypted, the key id beside it, no plaintext left', async () => {
  const codec = new EncryptionCodec(payloadKeysFrom({ PAYLOAD_KEYS: `k1:${key(1)}` })!);
  const [sealed] = await codec.encode([payload]);
  expect(text(sealed!.metadata!.encoding)).toBe('binary/encrypted');
  expect(text(sealed!.metadata!['encryption-key-id'])).toBe('k1');
  expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('SENTINEL');
  expect(Object.keys(sealed!.metadata!)).toEqual(['encoding', 'encryption-key-id']);
  const [opened] = await codec.decode([sealed!]);
  expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ pitch: 'SENTINEL-pitch-words' });
  // The same value sealed twice looks different (a fresh nonce each time).
  const [again] = await codec.encode([payload]);
  expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
});

test('rotation: written under key 1, read after key 2 became the writer; new payloads use key 2', async () => {
  const before = new EncryptionCodec(payloadKeysFrom({ PAYLOAD_KEYS: `k1:${key(1)}` })!);
  const after = new EncryptionCodec(
    payloadKeysFrom({ PAYLOAD_KEYS: `k1:${key(1)},k2:${key(2)}`, PAYLOAD_KEY_ID: 'k2' })!,
  );
  const [old] = await before.encode([payload]);
  expect(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!)).toEqual({
    pitch: 'SENTINEL-pitch-words',
  });
  const [fresh] = await after.encode([payload]);
  expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
  // Key 1 alone cannot read what key 2 wrote, and says why.
  await expect(before.decode([fresh!])).rejects.toThrow(UnknownPayloadKeyError);
});

test('plain payloads (histories from before encryption) pass through; a tampered payload is refused', async () => {
  const codec = new EncryptionCodec(payloadKeysFrom({ PAYLOAD_KEYS: `k1:${key(1)}` })!);
  expect(await codec.decode([payload])).toEqual([payload]);
  const [sealed] = await codec.encode([payload]);
  const data = Buffer.from(sealed!.data!);
  data[20] = data[20]! ^ 1;
  await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow();
});

test('keys are checked when the codec is made: 32 bytes each, the writer among them', () => {
  expect(
    () =>
      new EncryptionCodec(payloadKeysFrom({ PAYLOAD_KEYS: `k1:${Buffer.alloc(16).toString('base64')}` })!),
  ).toThrow(/32 bytes/);
  expect(
    () => new EncryptionCodec(payloadKeysFrom({ PAYLOAD_KEYS: `k1:${key(1)}`, PAYLOAD_KEY_ID: 'k9' })!),
  ).toThrow(/k9/);
  expect(payloadKeysFrom({ PAYLOAD_KEYS: '' })).toBeUndefined();
});
