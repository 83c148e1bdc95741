// The featured image, picked by sight: the writing screen's select (which works without a script) gains a
// thumbnail of the chosen image, a library of the uploads to choose from, and an upload that asks for the
// description first, as images in the text do. The select stays the form field.

import { element } from "./dialog.js";
import { describe, upload } from "./images.js";

let counter = 0;

/** A dialog listing the select's images as thumbnails; resolves to the chosen option's value, or null. */
function chooseFromLibrary(select) {
  counter += 1;
  const id = "featured-library-" + counter;
  const choices = Array.from(select.options).filter((option) => option.value && option.dataset.thumb);
  const list = element("ul", { class: "featured-library" }, ...choices.map((option) => {
    const name = option.dataset.alt || option.dataset.name;
    const button = element("button", { type: "submit", value: option.value, class: "featured-choice",
                                       "aria-pressed": option.selected ? "true" : "false" },
                           element("img", { src: option.dataset.thumb, alt: "", width: "160", loading: "lazy" }),
                           element("span", {}, name + (option.dataset.alt ? "" : " (no description)")));
    return element("li", {}, button);
  }));
  const empty = element("p", {}, "The media library has no images yet: upload one.");
  const cancel = element("button", { type: "button", class: "button button-quiet" }, "Cancel");
  const form = element("form", { method: "dialog" }, element("h2", { id: id + "-title" }, "Choose the featured image"),
                       choices.length ? list : empty, element("div", { class: "dialog-actions" }, cancel));
  const dialog = element("dialog", { class: "editor-dialog featured-dialog", "aria-labelledby": id + "-title" }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let chosen = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      chosen = event.submitter ? event.submitter.value : null;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(chosen); });
    dialog.showModal();
  });
}

/** Enhance the featured image's select (`[data-featured]` holds it) with a thumbnail, a library and an upload. */
export function attachFeatured(holder, options) {
  const select = holder.querySelector("select");
  const status = element("p", { class: "hint", role: "status" });
  let thumbnail = holder.querySelector(".featured-thumb");
  if (!thumbnail) {
    thumbnail = element("img", { class: "featured-thumb", alt: "", width: "160", hidden: true });
    holder.append(thumbnail);
  }

  function show() {
    const option = select.selectedOptions[0];
    const thumb = option && option.value ? option.dataset.thumb : "";
    thumbnail.hidden = !thumb;
    if (thumb) {
      thumbnail.src = thumb;
      thumbnail.alt = option.dataset.alt || "";
      thumbnail.removeAttribute("height");
    }
  }

  function choose(value) {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  const library = element("button", { type: "button", class: "button button-quiet" }, "Choose from the library");
  library.addEventListener("click", async () => {
    const value = await chooseFromLibrary(select);
    if (value) {
      choose(value);
      status.textContent = "The featured image is “" + select.selectedOptions[0].dataset.name + "”. Save to keep it.";
    }
    library.focus();
  });

  const uploadButton = element("button", { type: "button", class: "button button-quiet" }, "Upload a new image");
  uploadButton.addEventListener("click", () => {
    const input = element("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", hidden: true });
    input.addEventListener("change", async () => {
      input.remove();
      const file = input.files[0];
      if (!file) { return; }
      const answer = await describe(file);
      uploadButton.focus();
      if (!answer) { return; }
      const alt = answer.values.decorative ? "" : answer.values.alt;
      status.textContent = "Uploading “" + file.name + "”…";
      try {
        const stored = await upload(options, file, alt);
        const option = element("option", { value: String(stored.id), "data-thumb": stored.url, "data-alt": stored.alt,
                                           "data-name": file.name }, file.name);
        select.insertBefore(option, select.options[1] || null);
        choose(option.value);
        status.textContent = "“" + file.name + "” is uploaded and is the featured image. Save to keep it.";
      } catch (error) {
        status.textContent = error.message;
      }
    });
    document.body.append(input);
    input.click();
  });

  select.addEventListener("change", show);
  const buttons = element("div", { class: "featured-actions" }, library, uploadButton);
  select.after(buttons, status);
  holder.append(thumbnail);
  show();
}
