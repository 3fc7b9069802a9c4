// The database a bench run measures the server on, and what the bench reads back from it to
// account for every comment: an SQLite file (the default), or a PostgreSQL database (--postgres)
// filled from that same seeded file through `npm run export -- json` and `npm run import -- json`.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seedGrowingPost } from './seed.mjs';

const root = path.resolve(import.meta.dirname, '..');

/** A copy of the SQLite database `file` at `to`, made consistently (VACUUM INTO). */
export function copySqliteDatabase(file, to) {
  const db = new Database(file, { readonly: true });
  try {
    db.exec(`VACUUM INTO '${to.replaceAll("'", "''")}'`);
  } finally {
    db.close();
  }
  return to;
}

/** The seeded SQLite file itself. */
export function sqliteBenchDatabase(dir, file) {
  const read = (work) => {
    const db = new Database(file, { readonly: true });
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  const copy = (name) => copySqliteDatabase(file, path.join(dir, name));
  return {
    engine: 'sqlite',
    url: `file:${file}`,
    lastCommentId: async () => read((db) => db.prepare('SELECT MAX(id) AS id FROM Comment').get().id),
    textsById: async (ids) =>
      read((db) => new Map(ids.map((id) => [id, db.prepare('SELECT text FROM Comment WHERE id = ?').get(id)?.text]))),
    storedSince: async (lastId) => read((db) => db.prepare('SELECT id, text FROM Comment WHERE id > ?').all(lastId)),
    approvedOn: async (slug) =>
      read(
        (db) =>
          db
            .prepare(
              `SELECT COUNT(*) AS n FROM Comment JOIN Post ON Post.id = Comment.postId WHERE Post.slug = ? AND Comment.status = 'approved'`,
            )
            .get(slug).n,
      ),
    addGrowingPost: async (count) => seedGrowingPost(file, count),
    /** The insert ceilings on this engine: [label, args of a child process] (bare-insert-server.mjs). */
    insertCeilings: (slug) => [
      ['bare', ['bench/bare-insert-server.mjs', path.join(dir, 'bare.db')]],
      ['bareExpress', ['bench/bare-insert-server.mjs', '--express', path.join(dir, 'bare-express.db')]],
      ['bareSameTable', ['bench/bare-insert-server.mjs', copy('bare-same-table.db'), slug]],
      ['expressSameTable', ['bench/bare-insert-server.mjs', '--express', copy('express-same-table.db'), slug]],
    ],
    close: async () => undefined,
  };
}

/**
 * A new PostgreSQL database (on the server the PG* variables name) holding what the seeded SQLite
 * file holds, the growing post already in it; dropped by close().
 */
export async function postgresBenchDatabase(dir, file, growingCount) {
  seedGrowingPost(file, growingCount);
  const admin = new pg.Client();
  await admin.connect();
  const name = `marginalia_bench_${process.pid}`;
  for (const old of [name, `${name}_ceilings`]) await admin.query(`DROP DATABASE IF EXISTS ${old} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(`postgresql://${admin.host.startsWith('/') ? 'localhost' : admin.host}:${admin.port}/${name}`);
  url.username = admin.user;
  url.password = admin.password ?? '';
  const exportFile = path.join(dir, 'seed.jsonl');
  const tool = (cli, databaseUrl, args) =>
    execFileSync(process.execPath, [path.join(root, 'dist', cli), ...args], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  tool('exports/export-cli.js', `file:${file}`, ['json', exportFile]);
  tool('imports/import-cli.js', url.href, ['json', exportFile]);
  // The insert ceilings write to a copy made now, as on SQLite, so every row of the database under
  // test is the server's own.
  await admin.query(`CREATE DATABASE ${name}_ceilings TEMPLATE ${name}`);
  const ceilingsUrl = new URL(url.href);
  ceilingsUrl.pathname = `/${name}_ceilings`;
  // The ceilings' tens of thousands of rows a round would set autovacuum to work on their table
  // during the next contender's round: on two cores, a measuring stick's chores billed to the
  // server measured after it (its POST rate fell round by round, 768 to 431/s).
  const ceilings = new pg.Client({ connectionString: ceilingsUrl.href });
  await ceilings.connect();
  await ceilings.query('ALTER TABLE "Comment" SET (autovacuum_enabled = false)');
  await ceilings.end();
  const pool = new pg.Pool({ connectionString: url.href, max: 2 });
  const rows = async (sql, values = []) => (await pool.query(sql, values)).rows;
  return {
    engine: 'postgres',
    url: url.href,
    lastCommentId: async () => (await rows('SELECT MAX(id) AS id FROM "Comment"'))[0].id,
    textsById: async (ids) =>
      new Map(
        (await rows('SELECT id, text FROM "Comment" WHERE id = ANY($1)', [ids])).map((row) => [row.id, row.text]),
      ),
    storedSince: async (lastId) => rows('SELECT id, text FROM "Comment" WHERE id > $1', [lastId]),
    approvedOn: async (slug) =>
      Number(
        (
          await rows(
            `SELECT COUNT(*) AS n FROM "Comment" JOIN "Post" ON "Post".id = "Comment"."postId" WHERE "Post".slug = $1 AND "Comment".status = 'approved'`,
            [slug],
          )
        )[0].n,
      ),
    addGrowingPost: async () => undefined,
    insertCeilings: (slug) => [
      ['bareSameTable', ['bench/bare-pg-insert-server.mjs', ceilingsUrl.href, slug]],
      ['expressSameTable', ['bench/bare-pg-insert-server.mjs', '--express', ceilingsUrl.href, slug]],
    ],
    close: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${name}_ceilings WITH (FORCE)`);
      await admin.end();
    },
  };
}
