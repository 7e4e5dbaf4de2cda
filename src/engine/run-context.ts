/**
 * A lighter carrier for LangChain's run context.
 *
 * LangChain hands a runnable's config to the runnables it calls through AsyncLocalStorage
 * (`AsyncLocalStorageProviderSingleton.runWithConfig`). To do so it builds a full LangSmith `RunTree` on every call —
 * a time-ordered UUID from fresh crypto random bytes, environment reads, timestamps — even when tracing is off and
 * nothing will ever read the tree. LangGraph makes about 70 such calls for one pass through our 9-step graph, which
 * was close to half of the graph's own bookkeeping (docs/benchmarks-queries.md).
 *
 * With LangSmith tracing off, the store is a RunTree made without its constructor: the fields LangChain and
 * LangSmith read back — `extra[lc:child_config]` (getRunnableConfig, getConfig), `tracingEnabled: false`, the
 * execution counters and child list that createChild() and setContextVariable()'s copy use, and any context
 * variables of the enclosing run — but no id, timestamps or dotted order, which only a trace being sent would use.
 * With tracing on, or when a call carries callback handlers (a tracer may be among them), the original runs.
 */
import { _CONTEXT_VARIABLES_KEY, AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { RunTree } from 'langsmith';

const LC_CHILD_KEY = Symbol.for('lc:child_config');

type RunWithConfig = typeof AsyncLocalStorageProviderSingleton.runWithConfig;
type Store = Record<PropertyKey, unknown>;

let installed = false;

/** True when no callback handler rides along (LangGraph passes none unless the caller does). */
function withoutHandlers(callbacks: unknown): boolean {
  if (callbacks === undefined || callbacks === null) return true;
  if (Array.isArray(callbacks)) return callbacks.length === 0;
  const handlers = (callbacks as { handlers?: unknown[] }).handlers;
  return Array.isArray(handlers) && handlers.length === 0;
}

/**
 * Idempotent; a no-op when LangSmith tracing is on (Config.langsmithTracing, decided at start-up). Called once by
 * createServices.
 */
export function installLeanRunContext(tracing: boolean): boolean {
  if (installed) return true;
  if (tracing) return false;
  const provider = AsyncLocalStorageProviderSingleton;
  const original: RunWithConfig = provider.runWithConfig.bind(provider);
  provider.runWithConfig = ((config, callback, avoidCreatingRootRunTree) => {
    if (avoidCreatingRootRunTree || !withoutHandlers(config?.callbacks)) {
      return original(config, callback, avoidCreatingRootRunTree);
    }
    const storage = provider.getInstance();
    const previous = storage.getStore() as Store | undefined;
    const store = Object.assign(Object.create(RunTree.prototype) as Store, {
      name: '<runnable_lambda>',
      run_type: 'chain',
      tracingEnabled: false,
      execution_order: 1,
      child_execution_order: 1,
      child_runs: [],
      extra: { [LC_CHILD_KEY]: config },
    });
    const variables = previous?.[_CONTEXT_VARIABLES_KEY];
    if (variables !== undefined) store[_CONTEXT_VARIABLES_KEY] = variables;
    return storage.run(store, callback);
  }) as RunWithConfig;
  installed = true;
  return true;
}
