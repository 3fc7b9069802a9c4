import { createHmac } from 'node:crypto';

/**
 * The `X-Marginalia-Signature` header of a webhook call: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` with the webhook's secret. The receiver recomputes it over the raw body, compares
 * in constant time, and refuses a `t` far from its own clock (a replayed call).
 */
export function webhookSignature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
