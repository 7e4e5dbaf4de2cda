/** The one cookie AgentGraph sets. Small enough to hand-roll; keeps us off a dependency that needs Node 22. */
export const SESSION_COOKIE = 'agentgraph_sid';

/**
 * Over TLS the cookie is `__Host-agentgraph_sid`: browsers accept that name only with Secure, Path=/ and no
 * Domain, from a secure origin, so a sibling subdomain or a plain-http page cannot plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** The session id a Cookie header carries: the `__Host-` cookie first, then the plain (contract) name. */
export function readSessionCookie(header: string | undefined): string | undefined {
  return readCookie(header, SECURE_SESSION_COOKIE) || readCookie(header, SESSION_COOKIE) || undefined;
}

function cookie(name: string, value: string, options: { secure: boolean; clear?: boolean }): string {
  // Strict: the UI's requests are all same-origin, so nothing it does needs the cookie on a request another site
  // starts (issue 12; the state-changing routes also check the origin, see same-origin.ts).
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.clear) parts.push('Max-Age=0');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * No Max-Age on the live cookie: the TTL slides on the server with every use, so a fixed browser-side expiry
 * would drop a session that is still alive. The browser forgets it when it closes; the server when it expires.
 */
export function sessionCookie(value: string, options: { secure: boolean }): string {
  return cookie(options.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, value, options);
}

/** Set-Cookie values that forget the session: over TLS both names, since either may have been read. */
export function clearedSessionCookies(options: { secure: boolean }): string[] {
  const cleared = [cookie(SESSION_COOKIE, '', { ...options, clear: true })];
  if (options.secure) cleared.unshift(cookie(SECURE_SESSION_COOKIE, '', { ...options, clear: true }));
  return cleared;
}
