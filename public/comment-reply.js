// Threaded replies, better with JavaScript: "Reply" moves the comment form under the comment it
// answers, and "Cancel reply" moves it back. Without this script the same links reload the page
// with ?replytocom=ID, which the server handles. No dependencies, no inline script (the
// Content-Security-Policy forbids it), and names are only ever set as text, never as HTML.
(function () {
  'use strict';
  // The signed-in author's browser (a cookie set at sign-in that grants nothing by itself) gets a
  // "Reply as the author" link under each comment, to the admin area's reply form.
  if (/(?:^|;\s*)marginalia_author=1(?:;|$)/.test(document.cookie)) {
    var links = document.querySelectorAll('.author-reply');
    for (var i = 0; i < links.length; i += 1) links[i].hidden = false;
  }
  var respond = document.getElementById('respond');
  var form = document.getElementById('commentform');
  var parentInput = document.getElementById('comment_parent');
  var title = document.getElementById('reply-title');
  if (!respond || !form || !parentInput || !title) return;

  // Where the form lives when it is not replying to anyone.
  var home = document.createElement('div');
  home.id = 'respond-home';
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function setTitle(comment) {
    while (title.firstChild) title.removeChild(title.firstChild);
    title.appendChild(document.createTextNode('Leave a Reply'));
    if (!comment) return;
    var to = document.createElement('span');
    to.className = 'reply-to';
    to.appendChild(document.createTextNode(' to '));
    var link = document.createElement('a');
    link.href = '#comment-' + comment.id;
    link.textContent = comment.author;
    to.appendChild(link);
    title.appendChild(to);
    title.appendChild(document.createTextNode(' '));
    var small = document.createElement('small');
    var cancel = document.createElement('a');
    cancel.id = 'cancel-comment-reply-link';
    cancel.rel = 'nofollow';
    cancel.href = '#respond';
    cancel.textContent = 'Cancel reply';
    small.appendChild(cancel);
    title.appendChild(small);
  }

  function replyTo(link) {
    var item = link.closest('li.comment');
    var body = item && item.querySelector('.comment-body');
    if (!body) return false;
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = link.getAttribute('data-comment-id');
    setTitle({ id: link.getAttribute('data-comment-id'), author: link.getAttribute('data-author') });
    form.querySelector('textarea').focus();
    return true;
  }

  function cancelReply() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = '0';
    setTitle(null);
    form.querySelector('textarea').focus();
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var reply = target.closest('.comment-reply-link');
    if (reply && replyTo(reply)) {
      event.preventDefault();
      return;
    }
    if (target.closest('#cancel-comment-reply-link')) {
      event.preventDefault();
      cancelReply();
    }
  });
})();
