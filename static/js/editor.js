// The writing screen, enhanced: the visual editor over the body's Markdown (editor.bundle.js), a live preview
// rendered by the server, autosave every few seconds, a warning before leaving unsaved text, tags picked with one
// click, series found by typing part of their title, and series parts reordered by dragging.
// Everything here is optional: without it the forms still save, preview and reorder.
(function () {
  "use strict";

  var AUTOSAVE_EVERY_MS = 5000;
  var PREVIEW_DELAY_MS = 400;
  var SERIES_SEARCH_DELAY_MS = 200;

  function post(url, fields, csrfToken) {
    var body = new FormData();
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    body.append("csrf_token", csrfToken);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  function setUpEditor(form) {
    var csrfToken = form.querySelector("[name=csrf_token]").value;
    var title = form.querySelector("[name=title]");
    var summary = form.querySelector("[name=summary]") || { value: "" };  // a page has none
    var body = form.querySelector("[name=body_source]");
    var preview = document.getElementById("live-preview");
    var status = document.getElementById("autosave-status");
    var lastAutosaved = title.value + "\u0000" + summary.value + "\u0000" + body.value;
    var loaded = lastAutosaved;
    var previewTimer = null;
    var submitting = false;

    if (window.CmsEditor) {  // writes Markdown into `body` on every change and fires `input`, as typing does
      window.CmsEditor.attach(body, { uploadUrl: form.dataset.uploadUrl, csrfToken: csrfToken,
                                      bottomBar: form.querySelector(".actions") });
      form.querySelectorAll("[data-featured]").forEach(function (holder) {
        window.CmsEditor.attachFeatured(holder, { uploadUrl: form.dataset.uploadUrl, csrfToken: csrfToken });
      });
    }

    function current() { return title.value + "\u0000" + summary.value + "\u0000" + body.value; }

    function renderPreview() {
      post(form.dataset.renderUrl, { body_source: body.value }, csrfToken)
        .then(function (answer) { preview.innerHTML = answer.html; })  // sanitized by the server's pipeline
        .catch(function () { /* the last preview stays; saving still works */ });
    }

    function autosave() {
      var text = current();
      if (text === lastAutosaved || submitting) { return; }
      post(form.dataset.autosaveUrl, { article_id: form.dataset.articleId, title: title.value,
                                       summary: summary.value, body_source: body.value }, csrfToken)
        .then(function (answer) {
          lastAutosaved = text;
          status.textContent = "Autosaved " + answer.saved_at + ".";
        })
        .catch(function () { status.textContent = "Autosave failed; your text is still here. Save to keep it."; });
    }

    if (preview) {
      body.addEventListener("input", function () {
        clearTimeout(previewTimer);
        previewTimer = setTimeout(renderPreview, PREVIEW_DELAY_MS);
      });
    }
    if (form.dataset.autosaveUrl && !form.querySelector("fieldset[disabled]")) {  // articles autosave; pages not
      setInterval(autosave, AUTOSAVE_EVERY_MS);
    }
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && current() !== loaded) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    var tagField = form.querySelector("[name=tags]");
    form.querySelectorAll("[data-tag]").forEach(function (button) {
      button.addEventListener("click", function () {
        var names = tagField.value.split(",").map(function (name) { return name.trim(); })
          .filter(function (name) { return name; });
        if (names.indexOf(button.dataset.tag) === -1) { names.push(button.dataset.tag); }
        tagField.value = names.join(", ");
        tagField.focus();
      });
    });
  }

  function setUpReorder(list) {
    var dragged = null;

    function renumber() {
      list.querySelectorAll("[data-part-number]").forEach(function (input, index) { input.value = index + 1; });
    }

    list.querySelectorAll("[data-part-row]").forEach(function (row) {
      row.addEventListener("dragstart", function () { dragged = row; row.classList.add("dragging"); });
      row.addEventListener("dragend", function () { row.classList.remove("dragging"); dragged = null; });
      row.addEventListener("dragover", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) { return; }
        var box = row.getBoundingClientRect();
        list.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? row : row.nextSibling);
      });
      row.addEventListener("drop", function (event) { event.preventDefault(); renumber(); });
    });
  }

  // A refused save: the summary of what to fix takes focus, so it is read out and seen first; each of its links
  // brings the field's label into view and focuses the field (through its label when the editor hides it).
  function setUpErrorSummary(summary) {
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var id = link.getAttribute("href").slice(1);
        var field = document.getElementById(id);
        var label = document.querySelector("label[for='" + id + "']");
        if (!field) { return; }
        event.preventDefault();
        (label || field).scrollIntoView();
        if (field.hidden && label) { label.click(); } else { field.focus({ preventScroll: true }); }
      });
    });
    summary.focus();
  }

  // A site with more series than the list suggests at first (the newest): as she types, the list offers every
  // series whose title contains what she typed, asked of the server. Without this, any title can still be typed.
  function setUpSeriesSearch(row) {
    var input = row.querySelector("input[name=series]");
    var list = row.querySelector("datalist");
    var timer = null;
    if (!input || !list) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var typed = input.value;
        fetch(row.dataset.seriesSearch + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (answer) {
            if (input.value !== typed) { return; }  // an answer to what she typed before; a later one follows
            list.replaceChildren.apply(list, answer.titles.map(function (title) {
              var option = document.createElement("option");
              option.value = title;
              return option;
            }));
          })
          .catch(function () { /* the list stays as it was; a typed title still saves */ });
      }, SERIES_SEARCH_DELAY_MS);
    });
  }

  document.querySelectorAll("[data-series-search]").forEach(setUpSeriesSearch);
  document.querySelectorAll("form[data-editor]").forEach(setUpEditor);
  document.querySelectorAll("[data-error-summary]").forEach(setUpErrorSummary);
  document.querySelectorAll("[data-parts]").forEach(setUpReorder);
})();
