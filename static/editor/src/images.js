// Pictures: chosen with the Image button, dropped on the text or pasted. Each is described first (alt text, for
// readers who cannot see it), then uploaded through POST /uploads, then placed where it was dropped or pasted.

import { ask, element } from "./dialog.js";
import { schema } from "./markdown.js";

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

export function describe(file) {
  return ask({
    title: "Describe the image",
    fields: [
      { name: "alt", label: "Description (alt text)", hint: "What a reader who cannot see “" + file.name
        + "” should know, e.g. “A mother and daughter walking by the sea”." },
      { name: "decorative", label: "Only decoration: it tells readers nothing", type: "checkbox" },
    ],
    buttons: [{ value: "insert", label: "Insert image" }],
    check: (values) => (values.alt || values.decorative ? null
      : "Describe the image, or tick the box if it is only decoration."),
  });
}

export function upload(context, file, alt) {
  const body = new FormData();
  body.append("image", file);
  body.append("alt", alt);  // kept with the upload, so the media library and a featured image have it too
  body.append("csrf_token", context.csrfToken);
  return fetch(context.uploadUrl, { method: "POST", body, credentials: "same-origin",
                                    headers: { Accept: "application/json" } })
    .then((response) => response.json().catch(() => ({})).then((answer) => {
      if (!response.ok || !answer.url) {
        throw new Error(answer.error || "The image could not be uploaded (error " + response.status + ").");
      }
      return answer;
    }));
}

// Images one after the other: each asks for its description in turn. The place waits in `context.places`,
// moved along by every change she makes while the upload runs.
async function insertImages(context, files, position) {
  const { view, note } = context;
  const place = { pos: position };
  context.places.add(place);
  try {
    for (const file of files) {
      const answer = await describe(file);
      view.focus();
      if (!answer) { continue; }
      note.textContent = "Uploading “" + file.name + "”…";
      try {
        const alt = answer.values.decorative ? "" : answer.values.alt;
        const stored = await upload(context, file, alt);
        const at = Math.min(place.pos, view.state.doc.content.size);
        const tr = view.state.tr.insert(at, schema.nodes.image.create({ src: stored.url, alt }));
        view.dispatch(tr.scrollIntoView());
        note.textContent = "“" + file.name + "” is in the text.";
      } catch (error) {
        note.textContent = error.message;
      }
    }
  } finally {
    context.places.delete(place);
  }
}

function imagesOf(list) {
  return Array.from(list || []).filter((file) => IMAGE_TYPES.test(file.type));
}

/** The Image button: choose files, then describe and upload each at the cursor. */
export function chooseImage(context) {
  return (state, dispatch) => {
    const { $from } = state.selection;
    if (!$from.parent.canReplaceWith($from.index(), $from.index(), schema.nodes.image)) { return false; }
    if (!dispatch) { return true; }
    const input = element("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp",
                                     multiple: true, hidden: true });
    input.addEventListener("change", () => {
      input.remove();
      insertImages(context, imagesOf(input.files), context.view.state.selection.from);
    });
    document.body.append(input);
    input.click();
    return true;
  };
}

/** The view's drop and paste handlers for image files; other content goes to the editor as usual. */
export function imageHandlers(context) {
  return {
    handleDrop(view, event) {
      const files = imagesOf(event.dataTransfer && event.dataTransfer.files);
      if (!files.length || !context.uploadUrl) { return false; }
      event.preventDefault();
      const place = view.posAtCoords({ left: event.clientX, top: event.clientY });
      insertImages(context, files, place ? place.pos : view.state.selection.from);
      return true;
    },
    handlePaste(view, event) {
      const data = event.clipboardData;
      // Word and Excel put a picture of the copied text beside its HTML: the text wins.
      if (!data || !context.uploadUrl || data.getData("text/html")) { return false; }
      const files = imagesOf(data.files);
      if (!files.length) { return false; }
      event.preventDefault();
      insertImages(context, files, view.state.selection.from);
      return true;
    },
  };
}
