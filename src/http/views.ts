import path from 'node:path';
import { Eta } from 'eta';
import type { Express } from 'express';
import { projectRoot } from '../paths';

export const viewsDir = path.join(projectRoot, 'views');

/**
 * Makes `res.render('posts/article', data)` render views/posts/article.eta with Eta, which escapes
 * every `<%= %>` by default; only `<%~ %>` prints HTML as is, and only for HTML we rendered ourselves.
 */
export function useEtaViews(app: Express, { cache }: { cache: boolean }): void {
  app.set('view cache', cache);
  const eta = new Eta({ views: viewsDir, cache, autoEscape: true, autoTrim: [false, 'nl'] });
  app.engine('eta', (filePath, data, done) => {
    try {
      done(null, eta.render(path.relative(viewsDir, filePath), data as object));
    } catch (error) {
      done(error);
    }
  });
  app.set('views', viewsDir);
  app.set('view engine', 'eta');
}
