/**
 * The app on a real socket, a raw client for what fetch cannot do (stop mid-headers, trickle a body), and the
 * usual first steps of an HTTP test (a session with a table, a question answered).
 */
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { MULTIPART_TYPE, multipart, salesCsv } from './multipart.js';

/** Listens on a random port of 127.0.0.1; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closes the connection, with the milliseconds since connect. */
  closed: Promise<number>;
}

export async function rawConnect(base: string): Promise<RawConnection> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  const started = Date.now();
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => undefined); // a reset is one way the server cuts a client off
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => data, closed };
}

/** A new session holding one uploaded file (the sales table by default); the header that names it. */
export async function sessionWithUpload(
  app: FastifyInstance,
  file: { name: string; content: string } = { name: 'sales.csv', content: salesCsv(120) },
): Promise<Record<string, string>> {
  const id = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
  const headers = { 'x-session-id': id };
  const uploaded = await app.inject({
    method: 'POST',
    url: '/api/session/uploads',
    headers: { ...headers, 'content-type': MULTIPART_TYPE },
    payload: multipart(file),
  });
  expect(uploaded.statusCode).toBe(201);
  return headers;
}

/** Asks with `?wait=true`; the finished query result. */
export async function askAndWait(app: FastifyInstance, headers: Record<string, string>, question: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/session/queries?wait=true',
    headers,
    payload: { question },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}
