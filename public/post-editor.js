// The post editor's image upload, better with JavaScript: the image is sent without leaving the
// page, and its Markdown line goes into the body where the cursor is, so nothing typed is lost.
// Without this script the form posts and comes back with the line to paste. No inline script (the
// Content-Security-Policy forbids it); messages are set as text only.
(function () {
  'use strict';
  var form = document.getElementById('media-form');
  var body = document.getElementById('body');
  var status = document.getElementById('media-status');
  if (!form || !body || !status || !window.fetch || !window.FormData) return;

  function say(text) {
    status.textContent = text;
  }

  function insertAtCursor(text) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var before = body.value.slice(0, start);
    var after = body.value.slice(end);
    // Alone in its paragraph, so it shows as a picture (a figure when it has a caption).
    var lead = before === '' || /\n\n$/.test(before) ? '' : /\n$/.test(before) ? '\n' : '\n\n';
    var trail = after === '' || /^\n\n/.test(after) ? '' : /^\n/.test(after) ? '\n' : '\n\n';
    body.value = before + lead + text + trail + after;
    var caret = (before + lead + text).length;
    body.setSelectionRange(caret, caret);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = document.getElementById('media-file');
    if (!file || !file.files || file.files.length === 0) {
      say('Choose an image to upload.');
      return;
    }
    say('Uploading…');
    fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) throw new Error((answer && answer.error && answer.error.message) || 'The upload failed.');
          return answer.media;
        });
      })
      .then(function (media) {
        insertAtCursor(media.markdown);
        form.reset();
        say('Added ' + media.name + ' to the post where the cursor was. Save the post to keep it.');
      })
      .catch(function (error) {
        say(error.message || 'The upload failed. Please try again.');
      });
  });
})();
