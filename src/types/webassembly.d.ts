// Node provides the WebAssembly global, but its type declarations live in TypeScript's DOM library,
// which this server does not load. Only what src/db/migrations.ts uses is declared here.
declare namespace WebAssembly {
  type ModuleImports = Record<string, unknown>;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, ModuleImports>);
    readonly exports: Record<string, unknown>;
  }
}
