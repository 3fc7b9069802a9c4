import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ipKeyGenerator } from 'express-rate-limit';

// What a trusted proxy says the client's address is, in the header it passes on, need not be an
// address at all; kept whole, a few KB of it would be refused by the databases' indexes.
const maxNonAddressLength = 100;

/**
 * The client address as stored: an IP address as people read it (an IPv4 client on a dual-stack
 * listener, "::ffff:203.0.113.7", is 203.0.113.7), anything else cut to 100 characters.
 */
export function clientAddressOf(ip: string | null | undefined): string | null {
  if (!ip) return null;
  return isIP(ip) ? ipaddr.process(ip).toString() : ip.slice(0, maxNonAddressLength);
}

/**
 * The network a client address is in, as the rate limit counts clients: an IPv4 address as it is
 * (also when written "::ffff:a.b.c.d"), an IPv6 address as its /56, which one home or host holds.
 */
export function clientNetworkOf(ip: string | null | undefined): string | null {
  const address = clientAddressOf(ip);
  return address ? ipKeyGenerator(address, 56) : null;
}
