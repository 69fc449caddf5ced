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
// Stream tokens get their own audience, so a stream URL's `t` never works as a Bearer token
// and a Bearer token never opens a stream.
const STREAM_AUDIENCE = 'directline-stream';
// A longer header is not one of our tokens; refuse it before any crypto runs.
const MAX_TOKEN_LENGTH = 4096;

/** Tokens already verified, kept so that each poll and post does not run HMAC again. */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenIssuer {
  /**
   * A verified token's claims until it expires. Only tokens that passed the full check are
   * kept, so a forged token always meets the HMAC; the map is bounded (oldest out first).
   */
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAt: number }>();

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
      // JWT times are whole seconds: rounding the expiry up keeps a token valid for at least the
      // expires_in the client is told, even when it is issued in the last millisecond of a second.
      .setExpirationTime(Math.ceil(Date.now() / 1000) + this.ttlSeconds)
      // A refresh within the same second must still hand out a different token.
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.key);
    return { token, expires_in: this.ttlSeconds };
  }

  /** The claims of a valid token; a DirectLineError (403) for anything else. */
  async verify(token: string): Promise<TokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken();
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt > Date.now()) return { ...known.claims };
      this.verified.delete(token);
    }
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
    if (typeof payload['exp'] === 'number') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { claims: { ...claims }, expiresAt: payload['exp'] * 1000 });
    }
    return claims;
  }
}

/**
 * The `t` of a stream URL: pre-authorises one WebSocket connection to one conversation, for a
 * short time (the hosted service asks clients to connect within 60 seconds), and only once,
 * because stream URLs end up in proxy access logs where a bearer header never does.
 */
export class StreamTokenIssuer {
  /** jti → expiry (ms) of stream tokens already used; entries go once they would have expired anyway. */
  private readonly used = new Map<string, number>();
  /**
   * The spent list lives in memory, so only this process's own stream tokens are taken: a URL
   * used before a restart cannot be used again after it. Clients get a new one from GET
   * conversations/:id, as they do on every reconnect.
   */
  private readonly instance = randomBytes(12).toString('base64url');

  constructor(
    private readonly key: Uint8Array,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (key.byteLength < 32) throw new Error('Direct Line tokenKey must be at least 32 bytes.');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error('Direct Line streamTokenTtlSeconds must be a positive whole number.');
    }
  }

  async issue(conversationId: string): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    return new SignJWT({ conv: conversationId, inst: this.instance })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(STREAM_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.key);
  }

  /**
   * Checks a stream token for `conversationId` and spends it. A DirectLineError (403) for a
   * bad, expired, spent or foreign token.
   */
  async redeem(token: string, conversationId: string): Promise<void> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw invalidToken();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: STREAM_AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'conv', 'jti'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new DirectLineError(403, 'TokenExpired', 'Stream URL expired.');
      throw invalidToken();
    }
    const { conv, jti, exp, inst } = payload;
    if (conv !== conversationId || typeof jti !== 'string' || typeof exp !== 'number') throw invalidToken();
    if (inst !== this.instance) throw new DirectLineError(403, 'BadArgument', 'Stream URL from before a restart.');
    this.forgetExpired();
    if (this.used.has(jti)) throw new DirectLineError(403, 'BadArgument', 'Stream URL already used.');
    this.used.set(jti, exp * 1000);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [jti, expiresAt] of this.used) {
      if (expiresAt < now) this.used.delete(jti);
    }
  }
}

function invalidToken(): DirectLineError {
  return new DirectLineError(403, 'BadArgument', 'Invalid token or secret.');
}
