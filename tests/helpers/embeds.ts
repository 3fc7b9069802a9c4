import type { RequestListener } from 'node:http';
import request from 'supertest';

/**
 * A page's first comment, POST /embed/threads, as our own frame sends it (a browser says
 * Sec-Fetch-Site: same-origin): the form's fields, page_url and page_title, and a form stamp.
 */
export function sendFirstComment(app: RequestListener, fields: Record<string, string>) {
  return request(app).post('/embed/threads').set('Sec-Fetch-Site', 'same-origin').type('form').send(fields);
}
