/** A real OpenID Provider (oidc-provider, in a process of its own) for local runs and tests. */
import path from 'node:path';
import { portOpen, startProcess, type Service } from './processes';
import { repoRoot } from './tools';

export interface OidcAccount {
  sub: string;
  email: string;
  name: string;
  email_verified?: boolean;
}

export interface OidcProviderService extends Service {
  /** Exactly as the provider puts it in `iss` and discovery: `http://127.0.0.1:<port>`, no trailing slash. */
  issuer: string;
}

/**
 * Starts scripts/stack/oidc-provider.mjs with one confidential client and the given accounts, and
 * waits until its discovery document answers. At its sign-in page, the login name is an account's
 * `sub` (or its email); consent is implied. Its keys are new at every start.
 */
export async function startOidcProvider(opts: {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  accounts: OidcAccount[];
  logFile: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}): Promise<OidcProviderService> {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const settings = {
    issuer,
    client: {
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
      redirect_uris: opts.redirectUris,
      token_endpoint_auth_method: opts.tokenEndpointAuthMethod ?? 'client_secret_basic',
    },
    accounts: opts.accounts.map((account) => ({ email_verified: true, ...account })),
  };
  const service = await startProcess({
    name: 'oidc-provider',
    // Plain node: oidc-provider is ESM-only, and this entry point is an .mjs file.
    command: process.execPath,
    args: [path.join(repoRoot, 'scripts', 'stack', 'oidc-provider.mjs')],
    cwd: repoRoot,
    // In the environment, not argv: the client secret stays out of `ps`.
    env: { OIDC_PROVIDER_CONFIG: JSON.stringify(settings) },
    logFile: opts.logFile,
    ports: [{ port: opts.port, variable: 'OIDC_PORT' }],
    ready: async () =>
      (await portOpen(opts.port)) && (await fetch(`${issuer}/.well-known/openid-configuration`)).ok,
  });
  return { ...service, issuer };
}
