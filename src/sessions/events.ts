/**
 * The `session-ended` event: when a session is deleted or expires, every process that holds objects for it (open
 * databases, agents) must drop them. Embedded mode uses an in-process emitter; scaled mode Redis pub/sub, so the
 * API process and every worker hear it, whoever ended the session.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export type EndReason = 'deleted' | 'expired' | 'orphan';

export interface SessionEndedEvent {
  session_ids: string[];
  reason: EndReason;
}

export type SessionEndedHandler = (event: SessionEndedEvent) => void;

export interface SessionEvents {
  publishEnded(event: SessionEndedEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  onEnded(handler: SessionEndedHandler): () => void;
  close(): Promise<void>;
}

export class LocalSessionEvents implements SessionEvents {
  private readonly emitter = new EventEmitter();

  async publishEnded(event: SessionEndedEvent): Promise<void> {
    if (event.session_ids.length) this.emitter.emit('ended', event);
  }

  onEnded(handler: SessionEndedHandler): () => void {
    this.emitter.on('ended', handler);
    return () => this.emitter.off('ended', handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class RedisSessionEvents implements SessionEvents {
  private readonly local = new LocalSessionEvents();
  private readonly channel: string;
  private subscribed: Promise<unknown> | null = null;

  /**
   * @param publisher a normal connection
   * @param subscriber a dedicated connection (a subscribed connection can run nothing else); ioredis re-subscribes
   *   by itself after a reconnect
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}session-ended`;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        void this.local.publishEnded(JSON.parse(message) as SessionEndedEvent);
      } catch {
        // A malformed message from another version of the app is not worth crashing a worker over.
      }
    });
  }

  /** Resolves once the subscription is active (tests and workers wait for it before relying on events). */
  ready(): Promise<unknown> {
    this.subscribed ??= this.subscriber.subscribe(this.channel);
    return this.subscribed;
  }

  async publishEnded(event: SessionEndedEvent): Promise<void> {
    if (event.session_ids.length) await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  onEnded(handler: SessionEndedHandler): () => void {
    void this.ready().catch(() => undefined);
    return this.local.onEnded(handler);
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
