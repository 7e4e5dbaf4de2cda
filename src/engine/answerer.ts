/**
 * Answerer: runs one question (a QueryJob) through the answering graph and turns the final state — or the error
 * that stopped it — into the result object. It also keeps the session in step: the result and history line in the
 * session folder, `total_queries` and `last_query` in the session document. Queues (inline, BullMQ workers) call
 * this; nothing here knows how the job arrived.
 */
import type { Logger } from 'pino';
import { AppError, type Lang, renderMessage } from '../errors.js';
import { type AnswerGraph, type AnswerStateType, buildAnswerGraph } from './graph.js';
import type { EngineDeps } from './nodes/context.js';
import { type EmitEvent, pendingResult, type QueryJob, type QueryResult } from './types.js';

export class Answerer {
  private readonly graph: AnswerGraph;

  constructor(
    private readonly deps: EngineDeps,
    private readonly logger?: Logger,
  ) {
    this.graph = buildAnswerGraph(deps);
  }

  async answer(job: QueryJob, emit: EmitEvent, signal: AbortSignal): Promise<QueryResult> {
    const started = performance.now();
    const queuedMs = Math.max(0, Date.now() - job.submitted_at * 1000);
    let state: AnswerStateType | null = null;
    let result: QueryResult;
    emit({ type: 'status', query_id: job.query_id, status: 'running', at: Date.now() / 1000 });
    try {
      state = (await this.graph.invoke(
        { job, session_id: job.session_id },
        { configurable: { ctx: { emit, signal } }, recursionLimit: 25 },
      )) as AnswerStateType;
      result = this.fromState(job, state);
    } catch (error) {
      result = this.fromError(job, error, signal);
    }
    result.timings = {
      ...result.timings,
      queue_ms: Math.round(queuedMs * 1000) / 1000,
      total_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
    result.finished_at = Date.now() / 1000;
    await this.record(result);
    emit({ type: 'done', query_id: job.query_id, result, at: Date.now() / 1000 });
    return result;
  }

  /** A question cancelled while it waited: it never ran, but it is recorded like any other. */
  async cancelledBeforeStart(job: QueryJob): Promise<QueryResult> {
    const result = this.fromError(job, new AppError('query_cancelled'), AbortSignal.abort());
    result.finished_at = Date.now() / 1000;
    await this.record(result);
    return result;
  }

  /**
   * A question that ended without an answer from the graph (e.g. `worker_lost`: the workers running it died):
   * recorded as failed with that error, like any other result.
   */
  async failedWithoutAnswer(job: QueryJob, error: AppError): Promise<QueryResult> {
    const result = this.fromError(job, error, new AbortController().signal);
    result.finished_at = Date.now() / 1000;
    await this.record(result);
    return result;
  }

  private fromState(job: QueryJob, state: AnswerStateType): QueryResult {
    const result = pendingResult(job, 'done', state.lang, state.model);
    const plan = state.plan!;
    result.answer = state.answer;
    result.timings = { ...state.timings };
    if (plan.kind === 'unsupported') {
      result.unsupported = true;
      result.suggestions = plan.suggestions;
      return result;
    }
    const outcome = state.result!;
    result.sql = outcome.sql;
    result.columns = outcome.columns;
    result.rows = outcome.rows;
    result.row_count = outcome.row_count;
    result.truncated = outcome.truncated;
    result.chart = state.chart;
    if (plan.explanation) result.explanation = plan.explanation;
    return result;
  }

  private fromError(job: QueryJob, error: unknown, signal: AbortSignal): QueryResult {
    const lang: Lang = job.lang ?? 'en';
    const cancelled = signal.aborted || (error instanceof AppError && error.code === 'query_cancelled');
    const result = pendingResult(job, cancelled ? 'cancelled' : 'failed', lang, job.model ?? '');
    const appError = cancelled ? new AppError('query_cancelled') : error instanceof AppError ? error : null;
    if (!appError) this.logger?.error({ err: error, query_id: job.query_id }, 'question failed unexpectedly');
    result.error = appError
      ? { code: appError.code, message: appError.localized(lang) }
      : { code: 'internal', message: renderMessage('internal', lang, { request_id: job.query_id }) };
    return result;
  }

  /** Result file, history line, session counters. A session that ended meanwhile just has nowhere to keep it. */
  private async record(result: QueryResult): Promise<void> {
    const { sessions, log } = this.deps;
    try {
      const written = await log.save(result);
      await sessions.apply(
        result.session_id,
        {
          last_query: {
            query_id: result.query_id,
            question: result.question,
            status: result.status,
            at: result.finished_at ?? Date.now() / 1000,
          },
        },
        // One atomic update: the counters move with what was just written, no walk of the folder per question.
        { total_queries: 1, size_bytes: written },
      );
    } catch (error) {
      const ended =
        (error instanceof AppError && error.code === 'session_expired') ||
        (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!ended) {
        this.logger?.warn({ err: error, query_id: result.query_id }, 'could not record a finished question');
      }
    }
  }
}
