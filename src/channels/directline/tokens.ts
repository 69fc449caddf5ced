import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { DirectLineError } from './errors.js';

/**
 * What a Direct Line token says. `conv` and `user` are the claim names the hosted service
 * uses; botframework-directlinejs and Web Chat decode `user` from the token to learn the
 * user id, so the names must stay.
 */
export interface TokenClaims {
  conv: string;
  user?: string;
  name?: string;
  locale?: string;
}

export interface IssuedToken {
  token: string;
  expires_in: number;
}

// Issuer and audience keep these tokens apart from anything else the same key might sign.
const ISSUER = 'court-assistant/directline';
const AUDIENCE = 'directline';
// A longer header is not one of our tokens; refuse it before any crypto runs.
const MAX_TOKEN_LENGTH = 4096;

export class TokenIssuer {
  constructor(
    private readonly key: Uint8Array,
    readonly ttlSeconds: number,
  ) {
    if (key.byteLength < 32) {
      // HS256 with a short key is guessable offline from any token a visitor holds.
      throw new Error('Direct Line tokenKey must be at least 32 bytes.');
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error('Direct Line tokenTtlSeconds must be a positive whole number.');
    }
  }

  async issue(claims: TokenClaims): Promise<IssuedToken> {
    const payload: Record<string, string> = { conv: claims.conv };
    if (claims.user !== undefined) payload.user = claims.user;
    if (claims.name !== undefined) payload.name = claims.name;
    if (claims.locale !== undefined) payload.locale = claims.locale;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.ttlSeconds)
      // A refresh within the same second must still hand out a different token.
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.key);
    return { token, expires_in: this.ttlSeconds };
  }

  /** The claims of a valid token; a DirectLineError (403) for anything else. */
  async verify(token: string): Promise<TokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'conv'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new DirectLineError(403, 'TokenExpired', 'Token expired.');
      }
      throw invalidToken();
    }
    const { conv, user, name, locale } = payload;
    if (typeof conv !== 'string' || conv === '') throw invalidToken();
    const claims: TokenClaims = { conv };
    if (typeof user === 'string') claims.user = user;
    if (typeof name === 'string') claims.name = name;
    if (typeof locale === 'string') claims.locale = locale;
    return claims;
  }
}

function invalidToken(): DirectLineError {
  return new DirectLineError(403, 'BadArgument', 'Invalid token or secret.');
}
