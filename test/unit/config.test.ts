import { ConfigError, loadConfig } from '../../lib/config';
import { temporalTarget } from '../../lib/temporal';

const base = { OPS_TOKEN: 'a-long-enough-ops-token', DATABASE_URL: 'postgres://u:p@localhost:5432/db' };

test('defaults fill every optional setting', () => {
  const config = loadConfig(base);
  expect(config).toMatchObject({
    API_PORT: 3000,
    PUBLIC_BASE_URL: 'http://localhost:3000',
    MIN_HOURLY_RATE_CENTS: 2000,
    PLATFORM_SHARE_PCT: 10,
  });
});

test('where Temporal is comes from @temporalio/envconfig alone, an empty value meaning its default', () => {
  expect(loadConfig(base)).not.toHaveProperty('TEMPORAL_ADDRESS');
  expect(loadConfig(base)).not.toHaveProperty('TEMPORAL_NAMESPACE');
  expect(temporalTarget({})).toEqual({ address: 'localhost:7233', namespace: 'default' });
  expect(temporalTarget({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' })).toEqual({
    address: 'localhost:7233',
    namespace: 'default',
  });
  expect(
    temporalTarget({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'tenant' }),
  ).toEqual({
    address: 'temporal.internal:7233',
    namespace: 'tenant',
  });
});

test.each([
  [{ DATABASE_URL: undefined }, /DATABASE_URL: is required/],
  [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres:\/\/ URL/],
  [{ OPS_TOKEN: 'short' }, /OPS_TOKEN: must be at least 16 characters/],
  [{ API_PORT: '70000' }, /API_PORT/],
  [{ STRIPE_SECRET_KEY: 'pk_live_x' }, /STRIPE_SECRET_KEY: must be a Stripe secret key/],
])('a bad environment fails fast naming the variable (%o)', (change, message) => {
  expect(() => loadConfig({ ...base, ...change })).toThrow(ConfigError);
  expect(() => loadConfig({ ...base, ...change })).toThrow(message);
});

describe('a live Stripe key with plain payloads', () => {
  const live = { ...base, STRIPE_SECRET_KEY: 'sk_live_51AbCdEf' };
  const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

  test('refuses to start, naming PAYLOAD_KEYS and the way out', () => {
    expect(() => loadConfig(live)).toThrow(ConfigError);
    expect(() => loadConfig(live)).toThrow(
      /PAYLOAD_KEYS: required with a live Stripe key.*PAYLOAD_ENCRYPTION=off/,
    );
    // An empty value is unset, as everywhere else.
    expect(() => loadConfig({ ...live, PAYLOAD_KEYS: '' })).toThrow(/PAYLOAD_KEYS: required/);
  });

  test('starts with keys, or when plain payloads are chosen on purpose', () => {
    expect(loadConfig({ ...live, PAYLOAD_KEYS: key }).PAYLOAD_KEYS).toBe(key);
    expect(loadConfig({ ...live, PAYLOAD_ENCRYPTION: 'off' }).PAYLOAD_ENCRYPTION).toBe('off');
    // Test keys and local stacks stay as they were: plain payloads need no word.
    expect(loadConfig(base).PAYLOAD_KEYS).toBeUndefined();
  });

  test('an opt-out beside keys, or an opt-out other than off, is a mistake', () => {
    expect(() => loadConfig({ ...live, PAYLOAD_KEYS: key, PAYLOAD_ENCRYPTION: 'off' })).toThrow(
      /PAYLOAD_ENCRYPTION, PAYLOAD_KEYS: .*drop one/,
    );
    expect(() => loadConfig({ ...live, PAYLOAD_ENCRYPTION: 'no' })).toThrow(/PAYLOAD_ENCRYPTION/);
  });
});
