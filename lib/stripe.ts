import Stripe from 'stripe';

/** The official SDK, pointed at api.stripe.com, or at STRIPE_API_BASE (stripe-mock locally). */
export function createStripeClient(settings: { secretKey: string; apiBase?: string | undefined }): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined;
  return new Stripe(settings.secretKey, {
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
    maxNetworkRetries: 2,
    telemetry: false,
    appInfo: { name: 'micro-internships' },
  });
}

export type { Stripe };
