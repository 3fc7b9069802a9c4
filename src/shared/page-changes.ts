// What changes the public pages. Services report changes through it, knowing nothing of how
// pages are kept (src/http/page-cache.ts is the one that listens).

/** Reports changes that alter public pages. */
export interface PublicPageChanges {
  /** Something shown on this post's pages (and the home page) changed. */
  postChanged(slug: string): void;
  /** Something shown on every page changed (e.g. when comments close automatically). */
  everythingChanged(): void;
}

/** For services built without a page cache (tools, tests): changes go nowhere. */
export const noPageChanges: PublicPageChanges = { postChanged: () => undefined, everythingChanged: () => undefined };
