declare module 'markdown-it-implicit-figures' {
  import type { PluginWithOptions } from 'markdown-it';
  const implicitFigures: PluginWithOptions<{ figcaption?: boolean | 'alt' | 'title'; lazyLoading?: boolean }>;
  export = implicitFigures;
}
