import { isIP } from 'node:net';

/**
 * Whether a reply address stays on this machine: http(s) to localhost, 127.0.0.0/8 or [::1].
 * The URL parser normalises the host first, so spellings like 127.1, 0x7f.0.0.1 or
 * http://localhost@elsewhere/ are judged by where they really lead.
 */
export function isLoopbackServiceUrl(serviceUrl: unknown): boolean {
  if (typeof serviceUrl !== 'string' || serviceUrl === '') return false;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || isLoopbackIPv4(host);
}

/** Whether a socket peer address (as Node reports it, IPv4-mapped or not) is this machine. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return isLoopbackIPv4(v4);
}

function isLoopbackIPv4(host: string): boolean {
  return isIP(host) === 4 && host.split('.')[0] === '127';
}
