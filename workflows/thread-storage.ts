/**
 * The async-local storages of a worker thread, one of each for all the workflows in it, loaded by
 * workflows/preload.ts so that this module is shared (its instances are held in this module's
 * scope, not exported, so the SDK does not freeze them).
 *
 * Why one each: Node (before its async context frames) copies the value of every enabled
 * AsyncLocalStorage onto every promise made in the thread, as a property of that promise. An
 * instance per workflow therefore makes each promise of every workflow carry one property per
 * cached workflow: with 400 cached, a heap snapshot of the soak's worker held 20,699 promises with
 * 300 MiB of property storage between them (15 KiB each), and every promise made while a workflow
 * replays writes as many properties. Memory and replay CPU grew with the square of the cache.
 * Two storages were made per workflow: the OpenTelemetry context manager of its tracing, and the
 * SDK's own for a workflow's random source (made at its first interceptor call). Sharing them is
 * safe because a storage's value follows the promises made under it, and a workflow's code runs
 * only on its own promises, one workflow at a time.
 */
import { getActivator } from '@temporalio/workflow/lib/global-attributes';
import { AsyncLocalStorage } from '@temporalio/workflow/lib/update-scope';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager';

const contextManager = new ContextManager();
const randomSources = new AsyncLocalStorage<unknown>();

/** OpenTelemetry's context manager for every workflow of this thread (never disabled). */
export const threadContextManager = (): ContextManager => contextManager;

/**
 * Gives the running workflow's SDK activator the thread's storage for its random source before it
 * makes one of its own (it does so lazily, `??=`, with the same semantics for a shared one).
 */
export function shareRandomSourceStorage(): void {
  const activator = getActivator() as unknown as { currentRandomStorage?: unknown };
  activator.currentRandomStorage ??= randomSources;
}
