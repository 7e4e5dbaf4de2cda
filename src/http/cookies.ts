/** The one cookie AgentGraph sets. Small enough to hand-roll; keeps us off a dependency that needs Node 22. */
export const SESSION_COOKIE = 'agentgraph_sid';

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

/**
 * No Max-Age on the live cookie: the TTL slides on the server with every use, so a fixed browser-side expiry
 * would drop a session that is still alive. The browser forgets it when it closes; the server when it expires.
 */
export function sessionCookie(value: string, options: { secure: boolean; clear?: boolean }): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.clear) parts.push('Max-Age=0');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
