// Inside embed.js's frame, on our own origin: tells the page around it how tall the thread is (so
// the frame grows with it, never scrolling on its own), follows that page's light or dark scheme,
// opens links to other sites outside the frame, and asks the page to bring a comment into view
// after a comment is posted or a permalink opened. Messages carry no reader's data.
(function () {
  'use strict';
  var root = document.documentElement;
  var scheme = /[?&]scheme=(light|dark)(?:&|$)/.exec(location.search);
  if (scheme) root.setAttribute('data-scheme', scheme[1]);
  if (window.parent === window) return;

  function tell(message) {
    message.marginalia = 1;
    window.parent.postMessage(message, '*');
  }
  var lastHeight = 0;
  function sendHeight() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      tell({ type: 'height', height: height });
    }
  }
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || !event.data || event.data.marginalia !== 1) return;
    if (event.data.type === 'scheme' && (event.data.scheme === 'light' || event.data.scheme === 'dark'))
      root.setAttribute('data-scheme', event.data.scheme);
  });
  document.addEventListener('DOMContentLoaded', function () {
    sendHeight();
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(root);
    else setInterval(sendHeight, 500);
    // A refused form's summary: browsers do not autofocus in another site's frame, so it is
    // focused here, and the page brings it into view; else the comment the address names.
    var summary = document.querySelector('[autofocus]');
    if (summary) summary.focus({ preventScroll: true });
    var target = summary || (location.hash && document.getElementById(location.hash.slice(1)));
    if (target) tell({ type: 'show', top: Math.max(0, target.getBoundingClientRect().top - 16) });
    tell({ type: 'ready' });
  });
  document.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (link && link.origin !== location.origin) {
      link.target = '_blank';
      link.rel = (link.rel ? link.rel + ' ' : '') + 'noopener';
    }
  });
})();
