/**
 * Answerer: runs one question (a QueryJob) through the answering graph and turns the final state — or the error
 * that stopped it — into the result object. It also keeps the session in step: the result and history line in the
 * session folder, `total_queries` and `last_query` in the session document. Queues (inline, BullMQ workers) call
 * this; nothing here knows how the job arrived.
 *
 * What is kept is bounded (issue 12): a result is stored cut to keptResultCap(quota) (kept-result.ts), and a
 * result that would take the session over its quota is not stored: the question ends `failed` with
 * quota_exceeded, recorded as a small line like any failure. That happens only when questions of one session race
 * for its last room: a question is accepted only while the session has room for one kept result.
 */
import type { Logger } from 'pino';
import { isNoAnswer } from '../builtin/index.js';
import { AppError, type Lang, renderMessage } from '../errors.js';
import { type AnswerGraph, type AnswerStateType, buildAnswerGraph } from './graph.js';
import { type KeptResult, keepResult, keptResultCap } from './kept-result.js';
import type { EngineDeps } from './nodes/context.js';
import { type EmitEvent, pendingResult, type QueryJob, type QueryResult } from './types.js';

/** A finished question: the result for whoever waits on it now, and what was kept of it (stored, retained). */
export interface Finished {
  result: QueryResult;
  kept: KeptResult;
  /** Settles once the result and history line are written and the session's counters moved. */
  recorded: Promise<void>;
}

export interface AnswererOptions {
  /**
   * Write a finished question's result, history line and counters just after `done` went out, instead of before
   * (issue 14: ~0.4 ms of a 5 ms question). Only for a queue that keeps finished results in memory and runs the
   * session's next question in this process (InlineQueue): the log's reads of the session wait for the write
   * (QueryLog.writeSoon). Whether the result fits the session's quota is still decided before `done`.
   */
  writeAfterDone?: boolean;
}

export class Answerer {
  private readonly graph: AnswerGraph;

  constructor(
    private readonly deps: EngineDeps,
    private readonly logger?: Logger,
    private readonly options: AnswererOptions = {},
  ) {
    this.graph = buildAnswerGraph(deps);
  }

  async answer(job: QueryJob, emit: EmitEvent, signal: AbortSignal): Promise<Finished> {
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
    const finished = await this.record(result);
    emit({ type: 'done', query_id: job.query_id, result: finished.result, at: Date.now() / 1000 });
    return finished;
  }

  /** A question cancelled while it waited: it never ran, but it is recorded like any other. */
  async cancelledBeforeStart(job: QueryJob): Promise<Finished> {
    return this.failedWithoutAnswer(job, new AppError('query_cancelled'));
  }

  /**
   * A question that ended without an answer from the graph (e.g. `worker_lost`: the workers running it died):
   * recorded as failed (or cancelled) with that error, like any other result.
   */
  async failedWithoutAnswer(job: QueryJob, error: AppError): Promise<Finished> {
    const signal = error.code === 'query_cancelled' ? AbortSignal.abort() : NOT_ABORTED;
    const result = this.fromError(job, error, signal);
    result.finished_at = Date.now() / 1000;
    return this.record(result);
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
    if (plan.reading) result.reading = plan.reading;
    // The built-in engine read "the one before X" and no row fits: the SQL stays visible, but it is no answer.
    if (plan.template && isNoAnswer(plan.template, outcome)) result.unsupported = true;
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

  /**
   * Result file, history line, session counters. A session that ended meanwhile just has nowhere to keep it.
   * A result that does not fit the session's quota becomes a quota_exceeded failure, recorded instead.
   */
  private async record(answered: QueryResult): Promise<Finished> {
    const { sessions, log } = this.deps;
    const cap = keptResultCap(sessions.options.maxSessionSizeBytes);
    let result = answered;
    let kept = keepResult(result, cap);
    const ended = (error: unknown) => {
      const gone =
        (error instanceof AppError && error.code === 'session_expired') ||
        (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!gone)
        this.logger?.warn({ err: error, query_id: result.query_id }, 'could not record a finished question');
    };
    try {
      const doc = await sessions.peek(result.session_id);
      if (!doc) return { result, kept, recorded: Promise.resolve() };
      try {
        sessions.assertRoom(doc, kept.bytes);
      } catch (error) {
        result = { ...this.fromError(jobOf(answered), error, NOT_ABORTED), model: answered.model };
        result.finished_at = answered.finished_at;
        result.timings = answered.timings;
        kept = keepResult(result, cap);
      }
    } catch (error) {
      ended(error);
      return { result, kept, recorded: Promise.resolve() };
    }
    const final = result;
    const stored = kept;
    const write = async () => {
      try {
        const written = await log.save(stored);
        await sessions.apply(
          final.session_id,
          {
            last_query: {
              query_id: final.query_id,
              question: final.question,
              status: final.status,
              at: final.finished_at ?? Date.now() / 1000,
            },
          },
          // One atomic update: the counters move with what was just written, no walk of the folder per question.
          { total_queries: 1, size_bytes: written },
        );
      } catch (error) {
        ended(error);
      }
    };
    if (!this.options.writeAfterDone) {
      await write();
      return { result, kept, recorded: Promise.resolve() };
    }
    // After the current turn of the event loop: the waiting request's response is written first.
    return { result, kept, recorded: log.writeSoon(final.session_id, write) };
  }
}

const NOT_ABORTED = new AbortController().signal;

/** The job a result answers (what fromError builds a result from). */
function jobOf(result: QueryResult): QueryJob {
  return {
    query_id: result.query_id,
    session_id: result.session_id,
    question: result.question,
    lang: result.lang,
    submitted_at: result.created_at,
  };
}
