import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

// Prisma's native schema engine is a binary the CLI downloads on first use, which offline machines
// cannot do. The same engine is published compiled to WebAssembly and talks to the database
// through a driver adapter.

export const noFilters = { externalTables: [], externalEnums: [] };
let wasmReady = false;

function loadWasm(): void {
  if (wasmReady) return;
  // The package's own entry imports the .wasm file as an ES module, which Node 20 refuses;
  // instantiating it ourselves works on every supported Node version.
  const bindingsFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmBytes = readFileSync(path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {
    './schema_engine_bg.js': engineBindings as unknown as WebAssembly.ModuleImports,
  });
  engineBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  wasmReady = true;
}

/**
 * Runs `work` with Prisma's schema engine opened on `schemaFile` and the database `driver`
 * connects to, then closes every connection the engine opened: freeing the engine alone leaves
 * its connections open (on SQLite, holding a lock the server's own connection would then meet).
 */
export async function withSchemaEngine<T>(
  schemaFile: string,
  driver: SqlDriverAdapterFactory & { connectToShadowDb(): Promise<SqlDriverAdapter> },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  loadWasm();
  const opened: SqlDriverAdapter[] = [];
  const trackingFactory: SqlMigrationAwareDriverAdapterFactory = {
    provider: driver.provider,
    adapterName: driver.adapterName,
    connect: async () => remember(await driver.connect()),
    connectToShadowDb: async () => remember(await driver.connectToShadowDb()),
  };
  function remember(adapter: SqlDriverAdapter): SqlDriverAdapter {
    opened.push(adapter);
    return adapter;
  }
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: [[schemaFile, readFileSync(schemaFile, 'utf8')]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(trackingFactory),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}
