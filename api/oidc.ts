/**
 * Staff sign-in through the company's OpenID Connect provider, with openid-client (a certified
 * relying party): the authorization code flow with PKCE, state and nonce. What a sign-in under way
 * needs is kept in Postgres (any API process may receive the callback).
 */
import type { Db } from '../db/pool';
import { saveOidcLogin, takeOidcLogin } from '../db/sign-in';
import type { AppConfig } from '../lib/config';

/** openid-client ships ES modules only; Node loads it from our CommonJS with import(). */
const loadOpenIdClient = () => import('openid-client');
type OpenIdClient = Awaited<ReturnType<typeof loadOpenIdClient>>;
type Configuration = Awaited<ReturnType<OpenIdClient['discovery']>>;

export type OidcConfig = Pick<
  AppConfig,
  'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_ALLOW_HTTP' | 'PUBLIC_BASE_URL'
>;

/** Who the provider says signed in: its issuer and subject, and the email only if it verified it. */
export interface Identity {
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
}

export class OidcSignIn {
  private discovered: Promise<{ client: OpenIdClient; config: Configuration }> | undefined;
  readonly callbackUrl: string;

  constructor(
    private readonly db: Db,
    private readonly settings: OidcConfig & {
      OIDC_ISSUER: string;
      OIDC_CLIENT_ID: string;
      OIDC_CLIENT_SECRET: string;
    },
  ) {
    this.callbackUrl = `${settings.PUBLIC_BASE_URL}/auth/oidc/callback`;
  }

  /** The provider's metadata, read once (read again after a failure, e.g. the provider was down). */
  private provider() {
    this.discovered ??= (async () => {
      const client = await loadOpenIdClient();
      const config = await client.discovery(
        new URL(this.settings.OIDC_ISSUER),
        this.settings.OIDC_CLIENT_ID,
        undefined,
        // HTTP Basic, the default a provider registers a confidential client with.
        client.ClientSecretBasic(this.settings.OIDC_CLIENT_SECRET),
        this.settings.OIDC_ALLOW_HTTP ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      return { client, config };
    })().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  /** Starts a sign-in: the provider's address to send the browser to, and the state to bind it to. */
  async start(): Promise<{ url: string; state: string }> {
    const { client, config } = await this.provider();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await saveOidcLogin(this.db, { state, nonce, codeVerifier });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * Finishes a sign-in from the provider's redirect (`query` as received): the code is exchanged
   * and the ID token checked (signature, issuer, audience, nonce, PKCE). Undefined when the state is
   * unknown, used or older than 10 minutes.
   */
  async finish(query: string): Promise<Identity | undefined> {
    const state = new URLSearchParams(query).get('state');
    const login = state ? await takeOidcLogin(this.db, state) : undefined;
    if (!login || !state) return undefined;
    const { client, config } = await this.provider();
    const tokens = await client.authorizationCodeGrant(config, new URL(`${this.callbackUrl}?${query}`), {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: state,
      expectedNonce: login.nonce,
    });
    const claims = tokens.claims();
    if (!claims) return undefined;
    const email = claims.email_verified === true && typeof claims.email === 'string' ? claims.email : null;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email,
      name: typeof claims.name === 'string' ? claims.name : null,
    };
  }
}
