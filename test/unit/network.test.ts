import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { CourtNetwork } from '../../src/http/network.js';

const requestFrom = (ip: string) => ({ ip, socket: {} }) as unknown as Request;

describe('the court\'s network (COURT_ADDRESSES, TRUST_PROXY, CORS_ORIGINS)', () => {
  it('knows the court\'s addresses and ranges, IPv4 clients of a dual-stack socket included', () => {
    const network = new CourtNetwork({ courtAddresses: ['198.51.100.10', '10.8.0.0/16', 'fd00:c0:a7::/48'] });
    expect(network.isCourt('198.51.100.10')).toBe(true);
    expect(network.isCourt('::ffff:198.51.100.10')).toBe(true);
    expect(network.isCourt('10.8.200.1')).toBe(true);
    expect(network.isCourt('fd00:c0:a7:1::5')).toBe(true);
    expect(network.isCourt('10.9.0.1')).toBe(false);
    expect(network.isCourt('203.0.113.1')).toBe(false);
    expect(network.isCourt(undefined)).toBe(false);
    expect(network.isCourt('not an address')).toBe(false);
  });

  it('names a client by a pseudonym, the same for one address and for one IPv6 /56, never the address', () => {
    const network = new CourtNetwork({ courtAddresses: [] });
    const a = network.clientOf(requestFrom('203.0.113.7'));
    expect(a).toEqual({ key: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), court: false });
    expect(a.key).not.toContain('203');
    expect(network.clientOf(requestFrom('::ffff:203.0.113.7')).key).toBe(a.key);
    expect(network.clientOf(requestFrom('203.0.113.8')).key).not.toBe(a.key);
    // One subscriber's IPv6 block is one client, however many addresses it uses.
    expect(network.clientOf(requestFrom('2001:db8:0:aa01::1')).key).toBe(network.clientOf(requestFrom('2001:db8:0:aaff:ffff::2')).key);
    expect(network.clientOf(requestFrom('2001:db8:0:ab00::1')).key).not.toBe(network.clientOf(requestFrom('2001:db8:0:aa00::1')).key);
    // Another run, another pseudonym: nothing kept can be joined across runs.
    expect(new CourtNetwork({ courtAddresses: [] }).clientOf(requestFrom('203.0.113.7')).key).not.toBe(a.key);
  });

  it('reads the settings, with this machine as the court\'s by default', () => {
    const config = loadConfig({}, '/tmp');
    expect(config.network).toEqual({ trustProxy: ['loopback'], courtAddresses: ['127.0.0.0/8', '::1'], corsOrigins: [] });
    expect(config.limits).toMatchObject({ maxBodyBytes: 256 * 1024, messagesPerConversation: 120, messagesPerAddress: 300, codeTriesPerAddress: 10, codeTriesOverall: 100 });
    const set = loadConfig({
      TRUST_PROXY: '10.0.0.0/8, loopback', COURT_ADDRESSES: 'none', CORS_ORIGINS: 'https://www.court.example,http://intranet:8080', MAX_BODY_KB: '64',
    }, '/tmp');
    expect(set.network).toEqual({ trustProxy: ['10.0.0.0/8', 'loopback'], courtAddresses: [], corsOrigins: ['https://www.court.example', 'http://intranet:8080'] });
    expect(set.limits.maxBodyBytes).toBe(64 * 1024);
    expect(loadConfig({ TRUST_PROXY: '2' }, '/tmp').network.trustProxy).toBe(2);
  });

  it('stops start-up on a wrong value, naming the variable', () => {
    const wrong: Record<string, string>[] = [
      { TRUST_PROXY: 'my-proxy' },
      { TRUST_PROXY: '99' },
      { COURT_ADDRESSES: '10.0.0.0/33' },
      { COURT_ADDRESSES: 'kiosk-1' },
      { CORS_ORIGINS: 'https://www.court.example/' },
      { CORS_ORIGINS: 'www.court.example' },
      { MAX_BODY_KB: '1' },
      { LIMIT_MESSAGES_CONVERSATION: 'many' },
      { CODE_TRIES_ALL: '0' },
    ];
    for (const env of wrong) {
      const name = Object.keys(env)[0]!;
      expect(() => loadConfig(env, '/tmp'), name).toThrow(ConfigError);
      expect(() => loadConfig(env, '/tmp'), name).toThrow(name);
    }
  });
});
