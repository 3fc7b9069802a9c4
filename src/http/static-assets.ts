import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

// Stylesheets and scripts are linked by fingerprinted names (site.3f2a9c1e.css): the name changes
// when the content does, so browsers and CDNs may keep them for a year. Other files under public/
// (images a post links to by their plain name) are served by that name with a short cache life.

export interface StaticAssets {
  /** The URL of a top-level file of public/, fingerprinted: "site.css" → "/assets/site.3f2a9c1e.css". */
  url: (name: string) => string;
  /** Serves /assets: fingerprinted names as immutable, plain names for an hour. */
  handlers: RequestHandler[];
  /** Serves one file of public/ at an address of its own (/favicon.ico), kept for a day. */
  file: (name: string) => RequestHandler;
}

const fingerprinted = /^\/([\w-]+)\.([0-9a-f]{10})(\.\w+)$/;

export function createStaticAssets(publicDir: string): StaticAssets {
  const hashes = new Map<string, string>();
  for (const entry of readdirSync(publicDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    hashes.set(
      entry.name,
      createHash('sha256')
        .update(readFileSync(path.join(publicDir, entry.name)))
        .digest('hex')
        .slice(0, 10),
    );
  }
  const serve = express.static(publicDir, { index: false, maxAge: '1h' });
  const serveImmutable = express.static(publicDir, { index: false, cacheControl: false });
  const immutable: RequestHandler = (req, res, next) => {
    const match = fingerprinted.exec(req.path);
    if (!match || hashes.get(`${match[1]}${match[3]}`) !== match[2]) return next();
    req.url = `/${match[1]}${match[3]}`;
    res.set('Cache-Control', 'public, max-age=31536000, immutable');
    serveImmutable(req, res, next);
  };
  const file =
    (name: string): RequestHandler =>
    (_req, res, next) =>
      res.sendFile(name, { root: publicDir, maxAge: '1d' }, (error) => (error ? next(error) : undefined));
  return {
    file,
    url(name) {
      const hash = hashes.get(name);
      if (!hash) throw new Error(`No asset named ${name} in public/`);
      const ext = path.extname(name);
      return `/assets/${name.slice(0, -ext.length)}.${hash}${ext}`;
    },
    handlers: [immutable, serve],
  };
}
