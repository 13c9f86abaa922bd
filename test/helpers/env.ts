import { loadConfig, type AppConfig } from '../../lib/config';

/** The configuration that global-setup wrote for the services it started. */
export function testConfig(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
  return loadConfig({ ...process.env, ...overrides });
}

export const maildevUrl = (): string => {
  const url = process.env.MAILDEV_URL;
  if (!url)
    throw new Error('MAILDEV_URL is not set: run the tests through jest (global-setup starts maildev)');
  return url;
};

export const uniqueSuffix = (): string =>
  `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
