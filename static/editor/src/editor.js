// The writing screen's visual editor: what she types looks like the article, and Markdown is what the form sends.
// It enhances the body's textarea, which stays the form field: every change is written back into it as Markdown
// (and announced with an `input` event, so preview, autosave and the unsaved-text warning keep working), and
// "Show Markdown" shows the textarea itself. Built into static/js/editor.bundle.js by `make editor`.

import { baseKeymap, chainCommands, exitCode, setBlockType } from "prosemirror-commands";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { history, redo, undo } from "prosemirror-history";
import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from "prosemirror-inputrules";
import { keymap } from "prosemirror-keymap";
import { liftListItem, sinkListItem, splitListItem } from "prosemirror-schema-list";
import { EditorState, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { blockIsOn, insertSeparator, isInside, listIsOn, markIsOn, toggleBold, toggleHeading, toggleItalic,
         toggleList, toggleQuote } from "./commands.js";
import { element } from "./dialog.js";
import { attachFeatured } from "./featured.js";
import { editLink } from "./links.js";
import { imageHandlers, chooseImage } from "./images.js";
import { Unrepresentable, fromMarkdown, schema, sliceFromMarkdown, toMarkdown } from "./markdown.js";
import { cleanPastedHtml } from "./paste.js";

const { nodes, marks } = schema;
const PREFERENCE = "cms-editor-show-markdown";
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);

function shortcutText(keys) {
  return keys.replace("Mod", IS_MAC ? "Cmd" : "Ctrl").replace(/-/g, "+").replace(/\+([a-z])$/, (m, k) => "+" + k.toUpperCase());
}

function ariaShortcut(keys) {
  return keys.replace("Mod", IS_MAC ? "Meta" : "Control").replace(/-/g, "+").replace(/\+([a-z])$/, (m, k) => "+" + k.toUpperCase())
    .replace("+.", "+Period");
}

/** The toolbar's buttons: accessible name, visible text, shortcut, what it does, and when it shows as pressed. */
function buttons(context) {
  return [
    { name: "Bold", text: "B", keys: "Mod-b", run: toggleBold, on: markIsOn(marks.strong), className: "tool-bold" },
    { name: "Italic", text: "I", keys: "Mod-i", run: toggleItalic, on: markIsOn(marks.em), className: "tool-italic" },
    { name: "Link", text: "Link", keys: "Mod-k", run: editLink, on: markIsOn(marks.link) },
    { name: "Heading", text: "Heading", keys: "Mod-Alt-2", run: toggleHeading(2), on: blockIsOn(nodes.heading, { level: 2 }) },
    { name: "Subheading", text: "Subheading", keys: "Mod-Alt-3", run: toggleHeading(3),
      on: blockIsOn(nodes.heading, { level: 3 }) },
    { name: "Quote", text: "Quote", keys: "Mod-Shift-.", run: toggleQuote, on: isInside(nodes.blockquote) },
    { name: "Bulleted list", text: "• List", keys: "Mod-Shift-8", run: toggleList(nodes.bullet_list),
      on: listIsOn(nodes.bullet_list) },
    { name: "Numbered list", text: "1. List", keys: "Mod-Shift-7", run: toggleList(nodes.ordered_list),
      on: listIsOn(nodes.ordered_list) },
    { name: "Separator", text: "—", run: insertSeparator },
    ...(context.uploadUrl ? [{ name: "Image", text: "Image", run: chooseImage(context) }] : []),
    { name: "Undo", text: "↶", keys: "Mod-z", run: undo },
    { name: "Redo", text: "↷", keys: IS_MAC ? "Mod-Shift-z" : "Mod-y", run: redo },
  ];
}

function keys(tools) {
  const bindings = {
    "Mod-Shift-z": redo,
    "Mod-Alt-0": setBlockType(nodes.paragraph),
    "Shift-Enter": chainCommands(exitCode, (state, dispatch) => {
      if (dispatch) { dispatch(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView()); }
      return true;
    }),
    Enter: splitListItem(nodes.list_item),
    // Tab indents a list item; anywhere else it leaves the editor, as keyboard users expect.
    Tab: sinkListItem(nodes.list_item),
    "Shift-Tab": liftListItem(nodes.list_item),
  };
  tools.filter((tool) => tool.keys).forEach((tool) => { bindings[tool.keys] = tool.run; });
  return bindings;
}

function markdownShortcuts() {
  return inputRules({ rules: [
    textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (match) => ({ level: match[1].length })),
    wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
    wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
    wrappingInputRule(/^(\d+)\.\s$/, nodes.ordered_list, (match) => ({ order: +match[1] }),
                      (match, node) => node.childCount + node.attrs.order === +match[1]),
    new InputRule(/^---$/, (state, match, start, end) => {
      const $start = state.doc.resolve(start);
      if (!$start.node(-1).canReplaceWith($start.index(-1), $start.indexAfter(-1), nodes.horizontal_rule)) { return null; }
      return state.tr.delete(start, end).replaceRangeWith($start.before(), $start.after(), nodes.horizontal_rule.create());
    }),
  ] });
}

class Toolbar {
  constructor(tools, view, onSwitch, focusText) {
    this.tools = tools;
    this.view = view;
    this.focusText = focusText;
    this.element = element("div", { class: "editor-toolbar", role: "toolbar", "aria-label": "Formatting",
                                     "aria-controls": view.dom.id });
    this.formatting = element("div", { class: "editor-tools" });
    tools.forEach((tool) => {
      const shortcut = tool.keys ? " (" + shortcutText(tool.keys) + ")" : "";
      tool.button = element("button", { type: "button", class: "editor-tool " + (tool.className || ""),
                                         "aria-label": tool.name, title: tool.name + shortcut, tabindex: "-1",
                                         "aria-keyshortcuts": tool.keys ? ariaShortcut(tool.keys) : null,
                                         "aria-pressed": tool.on ? "false" : null }, tool.text);
      tool.button.addEventListener("mousedown", (event) => event.preventDefault());  // keeps the selection
      tool.button.addEventListener("click", () => {
        if (tool.button.getAttribute("aria-disabled") === "true") { return; }
        tool.run(this.view.state, this.view.dispatch, this.view);
        this.view.focus();
      });
      this.formatting.append(tool.button);
    });
    this.switch = element("button", { type: "button", class: "editor-switch", "aria-pressed": "false",
                                      tabindex: "-1" }, "Show Markdown");
    this.switch.addEventListener("click", onSwitch);
    this.element.append(this.formatting, this.switch);
    this.element.addEventListener("keydown", (event) => this.move(event));
    this.element.addEventListener("focusin", (event) => this.remember(event.target));
    this.remember(tools[0].button);
  }

  // One tab stop for the whole toolbar; arrow keys, Home and End move within it (the ARIA toolbar pattern).
  focusable() {
    return Array.from(this.element.querySelectorAll("button")).filter((button) => !button.closest("[hidden]"));
  }

  remember(button) {
    if (!button || button.tagName !== "BUTTON") { return; }
    this.focusable().forEach((other) => other.setAttribute("tabindex", other === button ? "0" : "-1"));
  }

  move(event) {
    const all = this.focusable();
    const index = all.indexOf(document.activeElement);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1 }[event.key];
    if (event.key === "Escape") {  // back to the text, whichever way it is shown
      event.preventDefault();
      this.focusText();
      return;
    }
    if (next === undefined || index === -1) { return; }
    event.preventDefault();
    const target = all[(next + all.length) % all.length];
    this.remember(target);
    target.focus();
  }

  focus() {
    const current = this.focusable().find((button) => button.getAttribute("tabindex") === "0") || this.switch;
    current.focus();
  }

  update(state) {
    this.tools.forEach((tool) => {
      if (tool.on) { tool.button.setAttribute("aria-pressed", String(tool.on(state))); }
      tool.button.setAttribute("aria-disabled", String(!tool.run(state, null, this.view)));
    });
  }

  showMarkdown(shown) {
    this.switch.setAttribute("aria-pressed", String(shown));
    this.formatting.hidden = shown;
    this.remember(shown ? this.switch : this.tools[0].button);
  }
}

// Whichever of the editor and the textarea is hidden gives up the field's name, so "Body" names one thing.
function surfaceAttributes(textarea, label, named) {
  return {
    id: textarea.id + "-editor",
    class: "editor-surface",
    role: "textbox",
    "aria-multiline": "true",
    ...(named ? { "aria-labelledby": label.id } : {}),
    "aria-describedby": textarea.getAttribute("aria-describedby") || "",
    "aria-invalid": textarea.getAttribute("aria-invalid") === "true" ? "true" : "false",
    spellcheck: "true",
  };
}

// The cursor is kept clear of whatever stays on screen over the text: the toolbar above it on a wide screen, the
// form's sticky buttons (`options.bottomBar`) below it.
function keepCursorClear(view, toolbar, bottomBar) {
  const sticky = (element) => Boolean(element) && getComputedStyle(element).position === "sticky";
  const measure = () => {
    const top = (sticky(toolbar) ? toolbar.offsetHeight : 0) + 16;
    const bottom = (sticky(bottomBar) ? bottomBar.offsetHeight : 0) + 16;
    const clearance = { top, bottom, left: 8, right: 8 };
    view.setProps({ scrollThreshold: clearance, scrollMargin: clearance });
  };
  measure();
  window.addEventListener("resize", measure);
}

function labelOf(textarea) {
  const label = document.querySelector("label[for='" + textarea.id + "']");
  if (!label.id) { label.id = textarea.id + "-label"; }
  return label;
}

function stored(name) {
  try { return window.localStorage.getItem(name); } catch (error) { return null; }
}

function store(name, value) {
  try { window.localStorage.setItem(name, value); } catch (error) { /* private mode: the choice lasts a page */ }
}

/** Enhance `textarea` (the form's Markdown field) with the visual editor; returns the editor's view. */
export function attach(textarea, options = {}) {
  const label = labelOf(textarea);
  const wrapper = element("div", { class: "editor" });
  const note = element("p", { class: "editor-note", role: "status" });
  const mount = element("div", { class: "editor-frame" });
  textarea.before(wrapper);
  const context = { ...options, note, textarea, places: new Set() };
  const tools = buttons(context);
  let toolbar = null;

  function write(state) {
    textarea.value = toMarkdown(state.doc);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  const view = new EditorView(mount, {
    state: EditorState.create({ schema, plugins: [] }),
    attributes: surfaceAttributes(textarea, label, true),
    editable: () => !textarea.matches(":disabled"),
    transformPastedHTML: cleanPastedHtml,
    clipboardTextParser: (text, $context, plain) => (plain ? null : sliceFromMarkdown(text)),
    handleDOMEvents: {
      keydown: (_, event) => {
        if (event.key === "F10" && event.altKey) { event.preventDefault(); toolbar.focus(); return true; }
        return false;
      },
    },
    ...imageHandlers(context),
    dispatchTransaction(tr) {
      const state = view.state.apply(tr);
      view.updateState(state);
      context.places.forEach((place) => { place.pos = tr.mapping.map(place.pos); });
      if (tr.docChanged) { write(state); }
      toolbar.update(state);
    },
  });
  context.view = view;
  const plugins = [
    markdownShortcuts(),
    keymap(keys(tools)),
    keymap(baseKeymap),
    dropCursor(),
    gapCursor(),
    history(),
  ];

  function load(source) {
    const doc = fromMarkdown(source);
    view.updateState(EditorState.create({ doc, plugins, selection: TextSelection.atStart(doc) }));
    toolbar.update(view.state);
  }

  function showMarkdown(shown) {
    mount.hidden = shown;
    textarea.hidden = !shown;
    view.setProps({ attributes: surfaceAttributes(textarea, label, !shown) });
    if (shown) { textarea.removeAttribute("aria-label"); } else { textarea.setAttribute("aria-label", "Markdown"); }
    toolbar.showMarkdown(shown);
  }

  function switchMode() {
    if (!mount.hidden) {
      showMarkdown(true);
      note.textContent = "";
      store(PREFERENCE, "yes");
      textarea.focus();
      return;
    }
    try {
      load(textarea.value);
    } catch (error) {
      if (!(error instanceof Unrepresentable)) { throw error; }
      note.textContent = "This Markdown has " + error.message + ", which the visual editor cannot show as it is, "
        + "so it stays as Markdown.";
      return;
    }
    note.textContent = "";
    store(PREFERENCE, "no");
    showMarkdown(false);
    view.focus();
  }

  toolbar = new Toolbar(tools, view, switchMode, () => (mount.hidden ? textarea.focus() : view.focus()));
  wrapper.append(toolbar.element, note, mount);
  wrapper.append(textarea);
  label.addEventListener("click", () => { if (!mount.hidden) { view.focus(); } });
  textarea.classList.add("editor-source");

  let representable = true;
  try {
    load(textarea.value);
  } catch (error) {
    if (!(error instanceof Unrepresentable)) { throw error; }
    representable = false;
    note.textContent = "This text has " + error.message + ", which the visual editor cannot show as it is, "
      + "so it opens as Markdown.";
  }
  showMarkdown(!representable || stored(PREFERENCE) === "yes");
  if (textarea.matches(":disabled")) { toolbar.element.hidden = true; }
  keepCursorClear(view, toolbar.element, options.bottomBar);
  return view;
}

// The page's own script (static/js/editor.js) finds the editor here; the bundle defines nothing else globally.
window.CmsEditor = { attach, attachFeatured };
