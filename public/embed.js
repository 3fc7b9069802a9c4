// marginalia's embed, for a page on another site (README, "Use it on a static site"):
//   <div id="marginalia-thread" data-page-title="…"></div>
//   <script src="https://comments.example/embed.js" defer></script>
// The thread is a frame on the comment server's own origin, so the host page's styles cannot
// reach it and its styles cannot leak out, and whatever shows a commenter their own comments is a
// partitioned cookie of that frame (docs/EMBED.md). This script only makes the frame, sizes it as
// the frame asks, passes on the host page's light or dark scheme, and fills in comment counts
// (links marked data-marginalia-count). No inline script, no eval, nothing read from the page but
// its address, title and colours.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var server = new URL(script.src).origin;

  // The page's address: as given, else its canonical link, else where it is without query or fragment.
  function pageUrlOf(holder) {
    var given = holder.getAttribute('data-page-url');
    if (given) return new URL(given, location.href).href;
    var canonical = document.querySelector('link[rel="canonical"][href]');
    if (canonical) return canonical.href;
    return location.origin + location.pathname;
  }

  // Light or dark, as the page around the thread is painted: the first background behind it.
  function schemeOf(element) {
    for (var node = element; node && node.nodeType === 1; node = node.parentElement) {
      var rgb = /rgba?\((\d+)[, ]+(\d+)[, ]+(\d+)(?:[, /]+([\d.]+))?/.exec(getComputedStyle(node).backgroundColor);
      if (rgb && (rgb[4] === undefined || Number(rgb[4]) > 0.5)) {
        var luminance = 0.2126 * rgb[1] + 0.7152 * rgb[2] + 0.0722 * rgb[3];
        return luminance < 128 ? 'dark' : 'light';
      }
    }
    var rootScheme = getComputedStyle(document.documentElement).colorScheme || '';
    var prefersDark = window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches;
    return prefersDark && /dark/.test(rootScheme) ? 'dark' : 'light';
  }

  // Inline and important: a host rule such as `* { all: unset }` cannot undo them.
  function force(element, styles) {
    for (var name in styles) element.style.setProperty(name, styles[name], 'important');
  }

  function embedThread(holder) {
    var frame = document.createElement('iframe');
    var comment = /^#comment-(\d+)$/.exec(location.hash);
    var query =
      '?url=' +
      encodeURIComponent(pageUrlOf(holder)) +
      '&title=' +
      encodeURIComponent(holder.getAttribute('data-page-title') || document.title || '') +
      '&scheme=' +
      schemeOf(holder) +
      (comment ? '&comment=' + comment[1] : '');
    frame.src = server + '/embed/thread' + query;
    frame.title = 'Comments';
    frame.setAttribute('scrolling', 'no');
    // Hidden until the thread says it is there: a site that may not embed it shows nothing.
    force(frame, {
      display: 'block',
      width: '100%',
      'min-width': '100%',
      'max-width': '100%',
      height: '0',
      border: '0',
      margin: '0',
      padding: '0',
      visibility: 'hidden',
      'color-scheme': 'normal',
      background: 'transparent',
    });
    holder.appendChild(frame);
    // The holder says how it went (for the site's styles and tests): ready, or unavailable when
    // the frame loaded without the thread saying it is there (a site that may not embed it).
    var ready = false;
    frame.addEventListener('load', function () {
      if (!ready) holder.setAttribute('data-marginalia', 'unavailable');
    });
    window.addEventListener('message', function (event) {
      var data = event.data;
      if (event.source !== frame.contentWindow || event.origin !== server || !data || data.marginalia !== 1) return;
      if (data.type === 'height' && data.height >= 0) force(frame, { height: data.height + 'px' });
      else if (data.type === 'ready') {
        ready = true;
        holder.setAttribute('data-marginalia', 'ready');
        follow();
        // The placeholder's own content (a link to the thread, for readers without JavaScript) gives way.
        for (var i = 0; i < holder.children.length; i += 1)
          if (holder.children[i] !== frame) holder.children[i].hidden = true;
        force(frame, { visibility: 'visible' });
      } else if (data.type === 'show' && data.top >= 0) {
        window.scrollTo(0, frame.getBoundingClientRect().top + window.pageYOffset + data.top);
      }
    });
    // The host's scheme, told again once the thread is there and whenever the reader's changes.
    function follow() {
      if (frame.contentWindow)
        frame.contentWindow.postMessage({ marginalia: 1, type: 'scheme', scheme: schemeOf(holder) }, server);
    }
    var media = window.matchMedia && matchMedia('(prefers-color-scheme: dark)');
    if (media && media.addEventListener) media.addEventListener('change', follow);
  }

  // "3 comments" in every link marked data-marginalia-count, for the page it links to.
  function fillCounts(links) {
    var urls = [];
    for (var i = 0; i < links.length; i += 1) {
      var url = new URL(links[i].getAttribute('data-page-url') || links[i].href, location.href);
      url.hash = '';
      links[i].setAttribute('data-marginalia-for', url.href);
      if (urls.indexOf(url.href) === -1) urls.push(url.href);
    }
    for (var start = 0; start < urls.length; start += 50) {
      var query = urls
        .slice(start, start + 50)
        .map(function (url) {
          return 'url=' + encodeURIComponent(url);
        })
        .join('&');
      fetch(server + '/api/embed/counts?' + query, { credentials: 'omit' })
        .then(function (response) {
          return response.ok ? response.json() : { counts: {} };
        })
        .then(function (body) {
          for (var j = 0; j < links.length; j += 1) {
            var count = body.counts[links[j].getAttribute('data-marginalia-for')];
            if (typeof count === 'number')
              links[j].textContent = count === 0 ? 'No comments yet' : count === 1 ? '1 comment' : count + ' comments';
          }
        })
        .catch(function () {});
    }
  }

  function start() {
    var holder = document.getElementById('marginalia-thread');
    if (holder && !holder.querySelector('iframe[title="Comments"]')) embedThread(holder);
    var links = document.querySelectorAll('[data-marginalia-count]');
    if (links.length > 0) fillCounts(links);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
