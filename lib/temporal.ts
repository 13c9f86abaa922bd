import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: boolean | object;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * Where Temporal is and how to reach it, from the environment or a profile, with
 * @temporalio/envconfig: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (TOML) — the same settings as the `temporal` CLI.
 * Locally it is the dev server on localhost:7233, namespace "default".
 */
export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig({
    // An empty value (VAR= in a .env file) means "use the default", as in lib/config.ts.
    overrideEnvVars: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
    ),
    ...(env.TEMPORAL_CONFIG_FILE ? {} : { disableFile: !env.TEMPORAL_PROFILE }),
  });
  return {
    address: connectionOptions.address ?? 'localhost:7233',
    namespace: namespace ?? 'default',
    ...(connectionOptions.tls !== undefined ? { tls: connectionOptions.tls as boolean | object } : {}),
    ...(connectionOptions.apiKey && typeof connectionOptions.apiKey === 'string'
      ? { apiKey: connectionOptions.apiKey }
      : {}),
    ...(connectionOptions.metadata ? { metadata: connectionOptions.metadata as Record<string, string> } : {}),
  };
}

/**
 * Counts the gRPC requests a process sends to Temporal, by method (each attempt, after the SDK's own
 * retries): the API's /metrics shows them as `temporal_requests_total`, so an operator — and the
 * flood test — can see that a refused caller cost the engine nothing.
 */
export class TemporalRequests {
  readonly byMethod = new Map<string, number>();
  total = 0;

  /** The interceptors for `Connection.connect`: the SDK's default retries, then this count. */
  readonly interceptors: Interceptor[] = [
    makeGrpcRetryInterceptor(defaultGrpcRetryOptions()),
    (options, nextCall) => {
      const method = options.method_definition.path.slice(
        options.method_definition.path.lastIndexOf('/') + 1,
      );
      this.total += 1;
      this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
      return new InterceptingCall(nextCall(options));
    },
  ];
}
