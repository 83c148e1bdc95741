// A small modal form (a native <dialog>: focus kept inside, Escape cancels, focus returns to the editor after).

let counter = 0;

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value !== null && value !== undefined && value !== false) { node.setAttribute(name, value === true ? "" : value); }
  });
  node.append(...children);
  return node;
}

/**
 * Ask for some values; resolves to {button, values} or null when cancelled.
 * `fields`: [{name, label, value, hint, type}]; `buttons`: [{value, label, quiet}], the first one submits on Enter;
 * `check(values, button)` returns an error sentence, or null when the values will do.
 */
export function ask({ title, fields, buttons, check }) {
  counter += 1;
  const id = "editor-dialog-" + counter;
  const error = element("p", { class: "field-error", id: id + "-error", role: "alert", hidden: true });
  const inputs = {};
  const rows = fields.map((field) => {
    const inputId = id + "-" + field.name;
    const hint = field.hint ? element("p", { class: "hint", id: inputId + "-hint" }, field.hint) : "";
    const input = element("input", { id: inputId, name: field.name, type: field.type || "text",
                                     "aria-describedby": [field.hint ? inputId + "-hint" : "", id + "-error"].join(" ").trim(),
                                     inputmode: field.inputmode, autocomplete: "off" });
    if (field.type === "checkbox") {
      input.checked = Boolean(field.value);
      inputs[field.name] = input;
      return element("div", { class: "field field-check" }, input, " ", element("label", { for: inputId }, field.label), hint);
    }
    input.value = field.value || "";
    inputs[field.name] = input;
    return element("div", { class: "field" }, element("label", { for: inputId }, field.label), hint, input);
  });
  const actions = element("div", { class: "dialog-actions" }, ...buttons.map((button) =>
    element("button", { type: "submit", value: button.value, class: button.quiet ? "button button-quiet" : "button" },
            button.label)));
  const cancel = element("button", { type: "button", class: "button button-quiet" }, "Cancel");
  actions.append(cancel);
  const form = element("form", { method: "dialog" }, element("h2", { id: id + "-title" }, title), ...rows, error, actions);
  const dialog = element("dialog", { class: "editor-dialog", "aria-labelledby": id + "-title" }, form);
  document.body.append(dialog);

  const values = () => Object.fromEntries(Object.entries(inputs).map(([name, input]) =>
    [name, input.type === "checkbox" ? input.checked : input.value.trim()]));

  return new Promise((resolve) => {
    // Settled in the submit itself, before the next key press can reach the editor.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = (event.submitter && event.submitter.value) || buttons[0].value;
      const problem = check ? check(values(), button) : null;
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        Object.values(inputs)[0].focus();
        return;
      }
      const answer = { button, values: values() };
      dialog.close();
      resolve(answer);
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(null);
    });
    dialog.showModal();
  });
}

export { element };
