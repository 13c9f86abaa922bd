/**
 * The Temporal UI as its own server (github.com/temporalio/ui-server), read-only. Ops watch
 * workflows in the UI and change them only through the API, which checks who they are (DESIGN §2);
 * the UI built into `temporal server start-dev` has no switch for that, so the dev server runs
 * `--headless` and this serves the UI beside it.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { portOpen, startProcess, type Service } from './processes';

const localhost = '127.0.0.1';
/** The server reads `<root>/config/<env>.yaml` (after a `base.yaml` there, which we never write). */
const CONFIG_ENV = 'local';

export interface TemporalUiOptions {
  executable: string;
  port: number;
  /** The frontend's gRPC address, host:port. */
  temporalAddress: string;
  namespace?: string;
  logFile: string;
  /** Where its config file goes. */
  dataDir: string;
  /** A codec server: the browser sends it the payloads to decode, so they never pass this server. */
  codecEndpoint?: string;
  /**
   * Whether the browser sends its cookies to the codec server: the API's session cookie, when ops
   * signed in there (same site). With the UI's own sign-in too: its access token is never passed.
   */
  codecIncludeCredentials?: boolean;
  /** Sign-in through an OIDC provider; its callback is `<ui url>/auth/sso/callback`. */
  auth?: { issuerUrl: string; clientId: string; clientSecret: string; callbackUrl: string };
}

/** The ui-server's config: the keys of `server/config/config.go` in ui-server v2.56.4. */
export function temporalUiConfig(opts: TemporalUiOptions): Record<string, unknown> {
  return {
    temporalGrpcAddress: opts.temporalAddress,
    host: localhost,
    port: opts.port,
    publicPath: '',
    enableUi: true,
    defaultNamespace: opts.namespace ?? 'default',
    // The UI disables cancel, terminate, signal, update, reset and start, and the server answers
    // 405 to every non-GET call of its API except workflow queries: read-only even for curl.
    disableWriteActions: true,
    // The feed is fetched from the internet, which these machines (and an ops network) may not reach.
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    // Served over plain HTTP, where a browser may drop a Secure cookie; without the CSRF cookie no
    // POST passes, not even a query. The dev server's own UI sets the same.
    cors: { cookieInsecure: true, allowOrigins: [] },
    codec: {
      endpoint: opts.codecEndpoint ?? '',
      // Never the UI's access token, even with its own sign-in: that token is the identity
      // provider's, not a session or API token of ours, so the codec server would answer 401 and
      // nothing would decode. Staff are known there by the API's session cookie (includeCredentials).
      passAccessToken: false,
      includeCredentials: opts.codecIncludeCredentials ?? false,
    },
    auth: opts.auth
      ? {
          enabled: true,
          providers: [
            {
              label: 'sso',
              type: 'oidc',
              // Discovery is read from `<issuer>/.well-known/openid-configuration`. issuerUrl is left
              // out on purpose: set, it makes go-oidc accept an issuer that differs from the URL.
              providerUrl: opts.auth.issuerUrl,
              clientId: opts.auth.clientId,
              clientSecret: opts.auth.clientSecret,
              callbackUrl: opts.auth.callbackUrl,
              scopes: ['openid', 'profile', 'email'],
            },
          ],
        }
      : { enabled: false },
  };
}

/** Writes the config and starts `server --root <dir> --env local start`; ready once /healthz answers. */
export async function startTemporalUiServer(opts: TemporalUiOptions): Promise<Service & { url: string }> {
  const configDir = path.join(opts.dataDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const configFile = path.join(configDir, `${CONFIG_ENV}.yaml`);
  // JSON is YAML, and JSON.stringify quotes every value safely (secrets included).
  writeFileSync(configFile, `${JSON.stringify(temporalUiConfig(opts), null, 2)}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600); // an older file keeps its mode otherwise; this one may hold a secret
  const service = await startProcess({
    name: 'temporal ui server',
    command: opts.executable,
    args: ['--root', opts.dataDir, '--config', 'config', '--env', CONFIG_ENV, 'start'],
    logFile: opts.logFile,
    ports: [{ port: opts.port, variable: 'TEMPORAL_UI_PORT' }],
    ready: async () =>
      (await portOpen(opts.port)) && (await fetch(`http://${localhost}:${opts.port}/healthz`)).ok,
  });
  return { ...service, url: `http://localhost:${opts.port}` };
}
