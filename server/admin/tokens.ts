import { randomBytes, randomUUID } from 'node:crypto';
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

/** What a valid token says: whose session, signed in which of the user's session epochs, and its own id. */
export interface Session {
  userId: string;
  epoch: number;
  tokenId: string;
  expiresAt: Date;
}

/**
 * Dashboard session tokens: HS256 JWTs whose subject is a user id. The user's session epoch rides in the
 * token so that bumping it in the metadata store ends every earlier session; the token id lets one session
 * be signed out alone.
 */
export class Tokens {
  private constructor(private readonly secret: Uint8Array) {}

  static load(dataDir: string): Tokens {
    return new Tokens(loadSecret(dataDir));
  }

  sign(user: { id: string; session_epoch: number }): Promise<string> {
    return new SignJWT({ epoch: user.session_epoch })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(LIFETIME)
      .sign(this.secret);
  }

  /** The session of a valid, unexpired token of ours; null for anything else. Whether it was revoked is the store's to say. */
  async verify(token: string): Promise<Session | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      const { sub, jti, exp, epoch } = payload;
      if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || typeof epoch !== 'number') return null;
      return { userId: sub, epoch, tokenId: jti, expiresAt: new Date(exp * 1000) };
    } catch {
      return null;
    }
  }
}
