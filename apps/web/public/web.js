// Progressive enhancement: every page works without this script. With it, GOV.UK Frontend's
// components start, and an evidence upload reports its progress and shows the file's SHA-256.
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

initAll();

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The list of items as the server now renders it, so a new upload appears without a reload. */
async function refreshItems() {
  const list = document.getElementById('evidence-items');
  if (!list) return;
  const res = await fetch(location.href, { headers: { accept: 'text/html' } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('evidence-items');
  if (fresh) list.innerHTML = fresh.innerHTML;
}

for (const form of document.querySelectorAll('form[data-evidence-upload]')) {
  form.addEventListener('submit', (event) => {
    const file = form.querySelector('input[type=file]').files[0];
    if (!file) return; // the server's own answer: "Select a file"
    event.preventDefault();
    const progress = form.querySelector('.app-upload-progress');
    const bar = progress.querySelector('progress');
    const status = progress.querySelector('[data-upload-status]');
    const result = form.querySelector('[data-upload-result]');
    const button = form.querySelector('button[type=submit], button:not([type])');
    // The page's words for these messages, in its language (evidence/list.njk).
    const say = (name, values = {}) => (form.dataset[name] ?? '').replace(/\{\{(\w+)\}\}/g, (_, key) => values[key] ?? '');
    progress.hidden = false;
    result.innerHTML = '';
    button.disabled = true;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.dataset.uploadUrl);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('X-CSRF-Token', form.querySelector('input[name=_csrf]').value);
    xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name));
    const description = form.querySelector('input[name=description]').value.trim();
    // Header values are ASCII; the API takes other text percent-encoded.
    xhr.setRequestHeader('X-Description', /^[\x20-\x7e]*$/.test(description) ? description : encodeURIComponent(description));
    let lastAnnounced = -25;
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      bar.value = percent;
      // Announce in steps, not every event, so screen readers are not flooded.
      if (percent - lastAnnounced >= 25 || percent === 100) {
        lastAnnounced = percent;
        status.textContent = say('textUploaded', { percent });
      }
    });
    xhr.addEventListener('load', () => {
      button.disabled = false;
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* shown below as a failure */ }
      if (xhr.status === 200 || xhr.status === 201) {
        bar.value = 100;
        status.textContent = say('textComplete');
        result.innerHTML = `<div class="govuk-panel govuk-panel--confirmation"><h2 class="govuk-panel__title">${escapeHtml(say('textFileUploaded'))}</h2><div class="govuk-panel__body">SHA-256<br><strong class="app-hash" id="sha256">${escapeHtml(body.sha256)}</strong></div></div><p class="govuk-body"><a class="govuk-link" href="${escapeHtml(body.href)}">${escapeHtml(say('textViewItem'))}</a></p>`;
        form.reset();
        refreshItems();
        return;
      }
      const errors = body.errorList ?? [{ text: say('textCouldNotUpload'), href: '#file' }];
      status.textContent = say('textFailed');
      result.innerHTML = `<div class="govuk-error-summary" data-module="govuk-error-summary" tabindex="-1"><div role="alert"><h2 class="govuk-error-summary__title">${escapeHtml(say('textProblem'))}</h2><div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">${errors.map((e) => `<li><a href="${escapeHtml(e.href)}">${escapeHtml(e.text)}</a></li>`).join('')}</ul></div></div></div>`;
      result.querySelector('.govuk-error-summary').focus();
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      status.textContent = say('textConnectionLost');
    });
    xhr.send(file);
  });
}
