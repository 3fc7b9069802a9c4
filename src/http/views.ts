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
  rememberResolvedPaths(eta);
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

/**
 * Eta works out an included template's file path again on every include (a JSON key, path joins
 * and a containment check), once per comment on an article page. The answer depends only on the
 * including file and the name, both ours, so each is worked out once.
 */
function rememberResolvedPaths(eta: Eta): void {
  const resolve = eta.resolvePath;
  if (!resolve) return;
  const resolved = new Map<string, string>();
  eta.resolvePath = function resolvePathOnce(template, options) {
    const key = `${options?.filepath ?? ''}\0${template}`;
    let filePath = resolved.get(key);
    if (filePath === undefined) {
      filePath = resolve.call(this, template, options);
      resolved.set(key, filePath);
    }
    return filePath;
  };
}
