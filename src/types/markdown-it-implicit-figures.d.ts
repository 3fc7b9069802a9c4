declare module 'markdown-it-implicit-figures' {
  import type MarkdownIt from 'markdown-it';
  const implicitFigures: (
    md: MarkdownIt.MarkdownIt,
    options?: { figcaption?: boolean | 'alt' | 'title'; lazyLoading?: boolean },
  ) => void;
  export = implicitFigures;
}
