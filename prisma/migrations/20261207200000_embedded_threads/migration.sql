-- Comment threads for pages on other sites (embed.js): a post of kind 'embed' holds the thread
-- of the page at embedUrl (normalized by src/embeds/page-address.ts), one post per page; the sites
-- allowed to embed threads are a setting.
ALTER TABLE "Post" ADD COLUMN "embedUrl" TEXT;
CREATE UNIQUE INDEX "Post_embedUrl_key" ON "Post"("embedUrl");

ALTER TABLE "SiteSettings" ADD COLUMN "embedOrigins" TEXT NOT NULL DEFAULT '';
