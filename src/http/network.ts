import { createHmac, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { TurnContext } from 'botbuilder';
import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { addressRange, type NetworkConfig } from '../config.js';

/**
 * Who sent a bot turn, as far as limits care: a pseudonym of the client's address (never the
 * address itself, so nothing that keeps it can leak where a filer was) and whether the address
 * is one of the court's own machines. It lives in the turn's memory only: it is never put in
 * an activity, the transcript, bot state or a log line.
 */
export interface TurnClient {
  key: string;
  court: boolean;
}

const TURN_CLIENT = Symbol('turnClient');

export function setTurnClient(context: TurnContext, client: TurnClient): void {
  context.turnState.set(TURN_CLIENT, client);
}

/** Undefined where the channel cannot tell (Azure relays, the phone line): only the limits for everyone apply. */
export function turnClient(context: TurnContext): TurnClient | undefined {
  return context.turnState.get(TURN_CLIENT) as TurnClient | undefined;
}

/**
 * The court's own addresses (COURT_ADDRESSES) and the client of a request. A row of kiosks in
 * the hall usually reaches the server through one NAT address; per-address limits would let
 * one busy morning lock them all out, so those addresses are limited per conversation only.
 */
export class CourtNetwork {
  private readonly court = new BlockList();
  // Pseudonyms differ between runs, so even a memory dump of one run cannot be joined with another's.
  private readonly pseudonymKey = randomBytes(32);

  constructor(config: Pick<NetworkConfig, 'courtAddresses'>) {
    for (const entry of config.courtAddresses) {
      const range = addressRange(entry);
      if (!range) throw new Error(`not an address or range: ${entry}`);
      if (range.prefix === undefined) this.court.addAddress(range.address, range.family);
      else this.court.addSubnet(range.address, range.prefix, range.family);
    }
  }

  isCourt(ip: string | undefined): boolean {
    const address = plainAddress(ip);
    const version = isIP(address);
    return version !== 0 && this.court.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  isCourtRequest = (req: Request): boolean => this.isCourt(req.ip ?? req.socket.remoteAddress);

  /** The request's client; IPv6 clients are grouped by /56, the block one subscriber is usually given. */
  clientOf(req: Request): TurnClient {
    const ip = req.ip ?? req.socket.remoteAddress ?? '';
    const key = createHmac('sha256', this.pseudonymKey).update(ipKeyGenerator(plainAddress(ip))).digest('base64url').slice(0, 22);
    return { key, court: this.isCourt(ip) };
  }
}

/** "::ffff:10.1.2.3" (an IPv4 client on a dual-stack socket) as "10.1.2.3"; anything else unchanged. */
function plainAddress(ip: string | undefined): string {
  if (!ip) return '';
  return isIP(ip) === 6 ? ipKeyGenerator(ip, false) : ip;
}
