/**
 * SecretBox: how a database password is kept (issue 15) — AES-256-GCM under a key derived from SECRET_KEY, so the
 * session store (Redis or the local control database) never holds it in clear and a copied store is useless
 * without the key. Each seal has a fresh 96-bit nonce; the GCM tag makes any tampering fail to open.
 *
 * Sealed form: `v1.<nonce>.<tag>.<ciphertext>`, each part base64url.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  /** `secret`: SECRET_KEY (any string of at least 32 characters); the AES key is its SHA-256. */
  constructor(secret: string) {
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plain text; `store_unavailable`-free: a seal that does not open (other key, tampered) is connection_failed. */
  open(sealed: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    try {
      if (version !== VERSION || !nonce || !tag || body === undefined) throw new Error('malformed');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // Sealed under another SECRET_KEY (rotated, or another deployment's store): reconnecting is the way out.
      throw new AppError('connection_failed', {
        reason: 'secret',
        detail: 'the saved connection cannot be read with this server’s SECRET_KEY; connect again',
        detail_pt: 'a conexão salva não pode ser lida com a SECRET_KEY deste servidor; conecte-se novamente',
      });
    }
  }
}

/**
 * Embedded mode without SECRET_KEY: a key generated once into DATA_DIR/secret.key (mode 0600), so passwords
 * survive a restart and the store alone does not reveal them. Created atomically: two processes starting together
 * end up with the same key.
 */
export function localSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
