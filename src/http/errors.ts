/**
 * The single mapping from thrown errors to HTTP answers `{"error": {"code", "message"}}`. Our AppErrors keep their
 * code; Fastify's own client errors (bad JSON, body too large, wrong content type) get ours; anything else is a
 * bug: logged with the request id and shown as a generic 500, so driver or stack text never reaches a user.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type Lang, renderMessage } from '../errors.js';
import { pickLanguage } from './lang.js';

export function requestLanguage(request: FastifyRequest): Lang {
  return pickLanguage(request.headers['accept-language']);
}

const INVALID_JSON = { detail: 'the body is not valid JSON', detail_pt: 'o corpo não é um JSON válido' };

function fromFastify(error: FastifyError): AppError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('bad_input', INVALID_JSON);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_input', {
        detail: 'the JSON body is empty',
        detail_pt: 'o corpo JSON está vazio',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', { limit: 'see the API docs' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', { type: '' });
  }
  if (error.validation) {
    const first = error.validation[0];
    const field = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || '';
    return new AppError('bad_input', {
      detail: `${field ? `${field}: ` : ''}${first?.message ?? error.message}`,
    });
  }
  if (error instanceof SyntaxError)
    return new AppError('bad_input', { detail: 'the body is not valid JSON' });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new AppError('bad_input', { detail: 'the request is malformed' });
  return null;
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, status: number) {
  return reply.status(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const lang = requestLanguage(request);
    const known = error instanceof AppError ? error : fromFastify(error);
    if (known) {
      if (known.status >= 500) request.log.warn({ err: error }, known.code);
      return sendError(reply, known.code, known.localized(lang), known.status);
    }
    request.log.error({ err: error, req_id: request.id }, 'unhandled error');
    return sendError(reply, 'internal', renderMessage('internal', lang, { request_id: request.id }), 500);
  });

  app.setNotFoundHandler((request, reply) => {
    const lang = requestLanguage(request);
    const what = `${request.method} ${request.url.split('?')[0]}`;
    return sendError(reply, 'not_found', renderMessage('not_found', lang, { what }), 404);
  });
}
