/**
 * Libraries loaded once per worker thread and shared by every workflow in it (the bundle's
 * `preloadModules`, worker/workflow-bundle.ts) instead of once per workflow, the SDK's default so
 * that module state stays per workflow; the SDK freezes what it shares. Only a library that is
 * nothing but constants qualifies: OpenTelemetry's semantic conventions, thousands of exported names
 * that OpenTelemetry's tracing (in every workflow) imports. The rest of OpenTelemetry keeps mutable
 * singletons in its modules and stays per workflow. Named here, not in `preloadModules`, because
 * webpack drops a bare `require` of a package marked free of side effects. package.json pins it to
 * the version the OpenTelemetry packages depend on, so that it is their copy that is shared.
 */
import * as semanticConventions from '@opentelemetry/semantic-conventions';

export const sharedLibraries = [semanticConventions];
