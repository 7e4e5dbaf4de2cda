import type { FastifyReply } from 'fastify';

/**
 * An AbortController that fires when the client goes away before we answered (an upload cut off, a `?wait=true`
 * question abandoned), so the work it started stops. The socket may already be gone when this is called (the
 * 'close' event would then never come): that case aborts at once.
 */
export function abortOnDisconnect(reply: FastifyReply): AbortController {
  const controller = new AbortController();
  const abort = () => {
    if (!reply.raw.writableFinished && !controller.signal.aborted)
      controller.abort(new Error('client disconnected'));
  };
  reply.raw.on('close', abort);
  if (reply.raw.destroyed || reply.request.raw.socket?.destroyed) abort();
  return controller;
}
