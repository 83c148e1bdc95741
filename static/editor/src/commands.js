// What the toolbar buttons and shortcuts do, each with the test of whether it is on where the cursor is.

import { lift, setBlockType, toggleMark, wrapIn } from "prosemirror-commands";
import { liftListItem, wrapInList } from "prosemirror-schema-list";
import { schema } from "./markdown.js";

const { nodes, marks } = schema;

export function markIsOn(type) {
  return (state) => {
    const { from, $from, to, empty } = state.selection;
    if (empty) { return Boolean(type.isInSet(state.storedMarks || $from.marks())); }
    return state.doc.rangeHasMark(from, to, type);
  };
}

export function blockIsOn(type, attrs) {
  return (state) => {
    const { $from, to } = state.selection;
    const parent = $from.parent;
    return to <= $from.end() && parent.type === type
      && Object.keys(attrs || {}).every((name) => parent.attrs[name] === attrs[name]);
  };
}

function ancestor(state, type) {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    if ($from.node(depth).type === type) { return depth; }
  }
  return null;
}

export function isInside(type) {
  return (state) => ancestor(state, type) !== null;
}

// The nearest list around the cursor decides: a bulleted list inside a numbered one is a bulleted list.
function nearestList(state) {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (node.type === nodes.bullet_list || node.type === nodes.ordered_list) { return { node, depth }; }
  }
  return null;
}

export function listIsOn(type) {
  return (state) => {
    const list = nearestList(state);
    return Boolean(list && list.node.type === type);
  };
}

export function toggleHeading(level) {
  return (state, dispatch) => blockIsOn(nodes.heading, { level })(state)
    ? setBlockType(nodes.paragraph)(state, dispatch)
    : setBlockType(nodes.heading, { level })(state, dispatch);
}

export function toggleList(type) {
  return (state, dispatch) => {
    const list = nearestList(state);
    if (!list) { return wrapInList(type)(state, dispatch); }
    if (list.node.type === type) { return liftListItem(nodes.list_item)(state, dispatch); }
    if (dispatch) {
      const position = state.selection.$from.before(list.depth);
      dispatch(state.tr.setNodeMarkup(position, type, { tight: list.node.attrs.tight }).scrollIntoView());
    }
    return true;
  };
}

export function toggleQuote(state, dispatch) {
  return isInside(nodes.blockquote)(state) ? lift(state, dispatch) : wrapIn(nodes.blockquote)(state, dispatch);
}

export function insertSeparator(state, dispatch) {
  const { $from } = state.selection;
  const depth = Math.max($from.depth - 1, 0);
  const index = $from.index(depth);
  if (!$from.node(depth).canReplaceWith(index, index, nodes.horizontal_rule)) { return false; }
  if (dispatch) { dispatch(state.tr.replaceSelectionWith(nodes.horizontal_rule.create()).scrollIntoView()); }
  return true;
}

export const toggleBold = toggleMark(marks.strong);
export const toggleItalic = toggleMark(marks.em);

/** The link around the cursor or the selection's start: its range and address, or null. */
export function linkAt(state) {
  const { $from } = state.selection;
  const parent = $from.parent;
  const index = $from.index();
  const mark = index < parent.childCount ? marks.link.isInSet(parent.child(index).marks) : null;
  if (!mark) { return null; }
  const linked = (i) => i >= 0 && i < parent.childCount && mark.isInSet(parent.child(i).marks);
  let first = index;
  let last = index;
  while (linked(first - 1)) { first--; }
  while (linked(last + 1)) { last++; }
  let from = $from.start();
  for (let i = 0; i < first; i++) { from += parent.child(i).nodeSize; }
  let to = from;
  for (let i = first; i <= last; i++) { to += parent.child(i).nodeSize; }
  return { from, to, href: mark.attrs.href };
}
