// Preloaded (node --require) into a child process a test measures: at exit, writes the process's
// peak resident memory as the kernel counted it, so no sampling can miss a short-lived peak.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
