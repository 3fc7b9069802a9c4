import { ipKeyGenerator } from 'express-rate-limit';

/**
 * The network a client address is in, as the rate limit counts clients: an IPv4 address as it is
 * (also when written "::ffff:a.b.c.d"), an IPv6 address as its /56, which one home or host holds.
 */
export function clientNetworkOf(ip: string | null | undefined): string | null {
  return ip ? ipKeyGenerator(ip, 56) : null;
}
