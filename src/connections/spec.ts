/**
 * What a client sends to connect a session to a database (PUT /api/session/connection, issue 15): the fields, or
 * a `uri`, validated into a ConnectionSpec. The password leaves this module only sealed (SecretBox) or inside a
 * driver's connection options; what is shown and stored in clear is `maskedUri`.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';

export type DatabaseType = 'postgresql' | 'mysql';

export interface ConnectionSpec {
  type: DatabaseType;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** PostgreSQL: the schema whose tables are used (default `public`). MySQL: unused (the database is the schema). */
  schema: string;
  ssl: boolean;
}

export const DEFAULT_PORTS: Record<DatabaseType, number> = { postgresql: 5432, mysql: 3306 };

const NAME = /^[\w$.-]{1,128}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;

const fields = z
  .object({
    type: z.enum(['postgresql', 'postgres', 'mysql', 'mariadb']),
    host: z.string().trim().min(1).max(253).regex(HOST, 'a host name or an IP address'),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().trim().regex(NAME, 'letters, digits and _ $ . - only'),
    user: z.string().min(1).max(128),
    password: z.string().max(1024).default(''),
    schema: z.string().trim().regex(NAME, 'letters, digits and _ $ . - only').optional(),
    ssl: z.boolean().default(false),
  })
  .strict();

const byUri = z.object({ uri: z.string().trim().min(1).max(2048), schema: z.string().optional() }).strict();

function normalType(type: string): DatabaseType {
  return type === 'postgres' || type === 'postgresql' ? 'postgresql' : 'mysql';
}

/** `{fields…}` or `{uri}` → a ConnectionSpec; bad_input naming the field otherwise. Never echoes the password. */
export function parseConnectionInput(input: unknown): ConnectionSpec {
  const asUri = byUri.safeParse(input);
  if (asUri.success) return fromUri(asUri.data.uri, asUri.data.schema);
  const parsed = fields.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'connection';
    throw new AppError('bad_input', {
      detail: `${field}: ${field === 'password' ? 'invalid' : issue.message}`,
      detail_pt: `${field}: ${field === 'password' ? 'inválida' : issue.message}`,
    });
  }
  const f = parsed.data;
  const type = normalType(f.type);
  return {
    type,
    host: f.host.replace(/^\[|\]$/g, ''),
    port: f.port ?? DEFAULT_PORTS[type],
    database: f.database,
    user: f.user,
    password: f.password,
    schema: type === 'postgresql' ? (f.schema ?? 'public') : f.database,
    ssl: f.ssl,
  };
}

/** `postgresql://user:pass@host:5432/db?schema=s&sslmode=require`, `mysql://…`, `mariadb://…`. */
function fromUri(uri: string, schema?: string): ConnectionSpec {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppError('bad_input', {
      detail: 'uri: not a database URI',
      detail_pt: 'uri: não é uma URI de banco',
    });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!['postgresql', 'postgres', 'mysql', 'mariadb'].includes(scheme)) {
    throw new AppError('bad_input', {
      detail: 'uri: use postgresql://, mysql:// or mariadb://',
      detail_pt: 'uri: use postgresql://, mysql:// ou mariadb://',
    });
  }
  const ssl = ['require', 'verify-full', 'verify-ca', 'true'].includes(
    url.searchParams.get('sslmode') ?? url.searchParams.get('ssl') ?? '',
  );
  return parseConnectionInput({
    type: scheme,
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...((schema ?? url.searchParams.get('schema'))
      ? { schema: schema ?? url.searchParams.get('schema') }
      : {}),
    ssl,
  });
}

/** The connection as shown and stored in clear: `postgresql://user:***@host:port/db?schema=s`. */
export function maskedUri(spec: ConnectionSpec): string {
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  const schema = spec.type === 'postgresql' ? `?schema=${encodeURIComponent(spec.schema)}` : '';
  const ssl = spec.ssl ? `${schema ? '&' : '?'}sslmode=require` : '';
  return `${spec.type}://${encodeURIComponent(spec.user)}:***@${host}:${spec.port}/${encodeURIComponent(spec.database)}${schema}${ssl}`;
}
