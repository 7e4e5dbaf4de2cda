/**
 * HostPolicy: which databases a session may connect to (DB_ALLOWED_HOSTS, issue 15). Without it, the server would
 * let any visitor make it open connections into its own network (cloud metadata, an internal admin port).
 *
 * Entries: host names (`db.internal`, or `*.db.internal` for any name below it), IP addresses and CIDR ranges
 * (`10.0.0.0/8`, `fd00::/8`). The check is on the address actually connected to: the name is resolved once here and
 * the driver connects to that address (TLS still verifies the name), so a name that resolves elsewhere later (DNS
 * rebinding) cannot move the connection. A name not listed itself is allowed only when every address it resolves
 * to is inside a listed range.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.js';

const RESOLVE_TIMEOUT_MS = 5000;

export interface CheckedHost {
  /** The address to connect to. */
  address: string;
  /** The name as given (TLS servername). */
  host: string;
}

export class HostPolicy {
  private readonly ranges = new BlockList();
  private readonly names: string[] = [];
  private readonly suffixes: string[] = [];

  /** `entries`: DB_ALLOWED_HOSTS split on commas and spaces. Throws on an entry that is none of the three forms. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const [ip, bits] = entry.split('/');
      const family = isIP(ip!);
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
          throw new Error(`not a CIDR range: ${raw}`);
        }
        this.ranges.addSubnet(ip!, prefix, type);
      } else if (/^\*\.[a-z0-9.-]+$/.test(entry)) this.suffixes.push(entry.slice(1));
      else if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry)) this.names.push(entry);
      else throw new Error(`not a host name, address or CIDR range: ${raw}`);
    }
  }

  private nameAllowed(host: string): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return this.names.includes(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  private addressAllowed(address: string): boolean {
    return this.ranges.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** Resolves `host` and returns the address to connect to; host_not_allowed or connection_failed otherwise. */
  async check(host: string): Promise<CheckedHost> {
    const byName = this.nameAllowed(host);
    const addresses = isIP(host) ? [host] : await resolve(host);
    const refused = addresses.find((address) => !this.addressAllowed(address));
    if (!byName && refused !== undefined) {
      throw new AppError('host_not_allowed', { host, ...(refused !== host ? { address: refused } : {}) });
    }
    return { address: addresses[0]!, host };
  }
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), RESOLVE_TIMEOUT_MS);
      }),
    ]);
    if (found.length === 0) throw new Error('no address');
    return found.map((entry) => entry.address);
  } catch {
    throw new AppError('connection_failed', {
      reason: 'unknown_host',
      detail: `the host name ${host} could not be found`,
      detail_pt: `o nome de servidor ${host} não foi encontrado`,
    });
  } finally {
    clearTimeout(timer);
  }
}
