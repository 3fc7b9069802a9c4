import path from 'node:path';
import { Eta } from 'eta';
import { projectRoot } from '../paths';

// The HTML parts of mail, from views/mail with Eta, escaped as the pages are: every `<%= %>` is
// escaped, and `<%~ %>` prints only HTML we rendered ourselves (a comment's textHtml).
const eta = new Eta({ views: path.join(projectRoot, 'views', 'mail'), cache: true, autoEscape: true });

export function renderMailHtml(view: string, data: object): string {
  return eta.render(view, data);
}
