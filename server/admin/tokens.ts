import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'loglake';
const AUDIENCE = 'loglake-dashboard';
const LIFETIME = '12h';

/**
 * The signing secret, from `<dataDir>/jwt-secret`; the first process to start makes it. The file appears
 * whole (written under another name, then linked into place), so a second process starting at the same
 * moment reads the same secret rather than half of it or its own.
 */
function loadSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, 'jwt-secret');
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(tmp, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
}

/** Dashboard session tokens: HS256 JWTs whose subject is a user id. */
export class Tokens {
  private constructor(private readonly secret: Uint8Array) {}

  static load(dataDir: string): Tokens {
    return new Tokens(loadSecret(dataDir));
  }

  sign(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(LIFETIME)
      .sign(this.secret);
  }

  /** The user id of a valid, unexpired token of ours; null for anything else. */
  async verify(token: string): Promise<string | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      return typeof payload.sub === 'string' ? payload.sub : null;
    } catch {
      return null;
    }
  }
}
