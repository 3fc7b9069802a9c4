import path from 'node:path';
import { Eta } from 'eta';
import type { Express } from 'express';
import { projectRoot } from '../paths';

export const viewsDir = path.join(projectRoot, 'views');

/**
 * Makes `res.render('posts/article', data)` render views/posts/article.eta with Eta, which escapes
 * every `<%= %>` by default; only `<%~ %>` prints HTML as is, and only for HTML we rendered ourselves.
 * Templates include others with `partial(name, data)` (below), which passes only what is named.
 */
export function useEtaViews(app: Express, { cache }: { cache: boolean }): void {
  app.set('view cache', cache);
  const eta = new Eta({
    views: viewsDir,
    cache,
    autoEscape: true,
    autoTrim: [false, 'nl'],
    // `partial(name, data)`: an include that sees only the data it is given. Eta's own `include`
    // first copies everything the including template was given (for a comment, the whole article
    // page's data, again for every comment and reply), which is most of what includes cost.
    functionHeader: 'const partial = (template, data) => this.render(template, data, options);',
  });
  rememberResolvedPaths(eta);
  app.engine('eta', (filePath, data, done) => {
    try {
      done(null, eta.render(path.relative(viewsDir, filePath), data));
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
