// Ctrl+K and the Link button: add, change or remove the link on the selection, asking for the address.

import { ask } from "./dialog.js";
import { linkAt } from "./commands.js";
import { schema } from "./markdown.js";

const link = schema.marks.link;

/** An address as she may type it, made whole (example.com -> https://example.com), or null when it is none. */
export function normaliseAddress(typed) {
  const text = typed.trim();
  if (/^(https?:\/\/|mailto:|tel:)\S+$/i.test(text) || /^\/(?!\/)\S*$/.test(text)) { return text; }
  if (/^[^\s@/]+@[^\s@/]+\.[a-z]{2,}$/i.test(text)) { return "mailto:" + text; }
  if (/^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(\/\S*)?$/i.test(text)) { return "https://" + text; }
  return null;
}

function applies(state) {
  const { $from } = state.selection;
  return $from.parent.inlineContent && $from.parent.type.allowsMarkType(link);
}

export function editLink(state, dispatch, view) {
  if (!applies(state)) { return false; }
  if (!dispatch) { return true; }
  const existing = linkAt(state);
  const { from, to, empty } = state.selection;
  const range = existing && empty ? existing : { from, to };
  const needsText = range.from === range.to;
  const fields = [
    ...(needsText ? [{ name: "text", label: "Text to show" }] : []),
    { name: "href", label: "Address", value: existing ? existing.href : "", inputmode: "url",
      hint: "A web address (https://…), an email address, or a page of this site (/articles/…)." },
  ];
  const buttons = [{ value: "apply", label: existing ? "Change link" : "Add link" },
                   ...(existing ? [{ value: "remove", label: "Remove link", quiet: true }] : [])];
  const check = (values, button) => {
    if (button === "remove") { return null; }
    if (needsText && !values.text) { return "Enter the text readers will click."; }
    return normaliseAddress(values.href) ? null : "Enter an address like https://example.com or /articles/grief.";
  };
  ask({ title: existing ? "Edit link" : "Add a link", fields, buttons, check }).then((answer) => {
    view.focus();
    if (!answer) { return; }
    let tr = view.state.tr;
    if (answer.button === "remove") {
      tr = tr.removeMark(range.from, range.to, link);
    } else if (needsText) {
      const mark = link.create({ href: normaliseAddress(answer.values.href) });
      tr = tr.insert(range.from, schema.text(answer.values.text, [mark]));
    } else {
      tr = tr.removeMark(range.from, range.to, link)
        .addMark(range.from, range.to, link.create({ href: normaliseAddress(answer.values.href) }));
    }
    view.dispatch(tr.scrollIntoView());
  });
  return true;
}
