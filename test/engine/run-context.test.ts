/**
 * The lean run context (src/engine/run-context.ts) must keep what LangChain and LangGraph read back from the
 * context: the running config (getConfig) and context variables, through nested runnables.
 */
import { getContextVariable, setContextVariable } from '@langchain/core/context';
import { RunnableLambda } from '@langchain/core/runnables';
import { Annotation, END, getConfig, START, StateGraph } from '@langchain/langgraph';
import { traceable } from 'langsmith/traceable';
import { describe, expect, it } from 'vitest';
import { installLeanRunContext } from '../../src/engine/run-context.js';

describe('installLeanRunContext', () => {
  it('stays out of the way when LangSmith tracing is on', () => {
    expect(installLeanRunContext(true)).toBe(false);
  });

  it('keeps the config and context variables visible inside graph nodes and nested runnables', async () => {
    expect(installLeanRunContext(false)).toBe(true);
    const State = Annotation.Root({
      seen: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
    });
    const nested = RunnableLambda.from(async () => {
      const config = getConfig();
      return `${config.configurable?.tenant}:${getContextVariable('colour')}`;
    });
    const graph = new StateGraph(State)
      .addNode('first', async () => {
        setContextVariable('colour', 'blue');
        // After setContextVariable (which copies the run tree) the config is still there, and a nested runnable
        // sees both.
        return { seen: [String(getConfig().configurable?.tenant), await nested.invoke({})] };
      })
      .addNode('second', async () => ({ seen: [await nested.invoke({})] }))
      // LangSmith's traceable() makes a child of whatever run tree the context holds.
      .addNode('third', async () => ({ seen: [await traceable(async () => 'traced')()] }))
      .addEdge(START, 'first')
      .addEdge('first', 'second')
      .addEdge('second', 'third')
      .addEdge('third', END)
      .compile();
    const state = await graph.invoke({ seen: [] }, { configurable: { tenant: 'acme' } });
    expect(state.seen).toEqual(['acme', 'acme:blue', 'acme:undefined', 'traced']);
    // A variable set in one node is scoped to that node's run; outside any run it is unset.
    expect(getContextVariable('colour')).toBeUndefined();
  });
});
