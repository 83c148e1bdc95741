// HTML pasted from Word or Google Docs, reduced to the structure a reader sees: headings, paragraphs, lists,
// quotes, bold, italic, links. The editor's schema then drops whatever is left (styles, spans, classes, fonts).
// Word writes lists as paragraphs with `mso-list` styles and a typed bullet; those become real lists here.

const WORD_LIST = /mso-list:\s*(l\d+)\s+level(\d+)/i;
const ORDERED_MARKER = /^[\s\u00a0]*(\d+|[a-z]{1,3})[.)]/i;
// Never prose: page furniture, and Word's comments and their anchors ("[MC1]").
const DROPPED = "style, script, meta, link, title, xml, template, head, .MsoCommentReference, .msocomanchor, "
  + ".msocomtxt, [style*='mso-element:comment' i]";

function unwrap(element) {
  element.replaceWith(...element.childNodes);
}

function removeComments(root) {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const comments = [];
  while (walker.nextNode()) { comments.push(walker.currentNode); }
  comments.forEach((comment) => comment.remove());
}

function wordListItem(paragraph) {
  const match = WORD_LIST.exec(paragraph.getAttribute("style") || "");
  if (!match) { return null; }
  const marker = paragraph.querySelector("[style*='mso-list:Ignore' i], [style*='mso-list: Ignore' i]");
  const markerText = marker ? marker.textContent : "";
  if (marker) { marker.remove(); }
  return { list: match[1], level: Number(match[2]), ordered: ORDERED_MARKER.test(markerText) };
}

// Consecutive Word list paragraphs become one nested list, deeper levels inside the item before them.
function wordLists(root) {
  let stack = [];
  let previous = null;
  for (const paragraph of Array.from(root.querySelectorAll("p"))) {
    const item = wordListItem(paragraph);
    if (!item) { continue; }
    if (previous === null || paragraph.previousElementSibling !== previous) { stack = []; }
    while (stack.length && stack[stack.length - 1].level > item.level) { stack.pop(); }
    let top = stack[stack.length - 1];
    if (top && top.level === item.level && top.ordered !== item.ordered) { stack.pop(); top = stack[stack.length - 1]; }
    if (!top || top.level < item.level) {
      const list = root.ownerDocument.createElement(item.ordered ? "ol" : "ul");
      const parentItem = top && top.element.lastElementChild;
      if (parentItem) { parentItem.append(list); } else { paragraph.before(list); }
      top = { level: item.level, ordered: item.ordered, element: list };
      stack.push(top);
    }
    const li = root.ownerDocument.createElement("li");
    li.append(...paragraph.childNodes);
    top.element.append(li);
    previous = paragraph;
    // The paragraph stays in place (empty) until the run ends, so the next one can see it is adjacent.
    paragraph.classList.add("pasted-list-item");
  }
  root.querySelectorAll("p.pasted-list-item").forEach((paragraph) => paragraph.remove());
}

function wordStyles(root) {
  root.querySelectorAll("p.MsoTitle").forEach((paragraph) => {
    const heading = root.ownerDocument.createElement("h1");
    heading.append(...paragraph.childNodes);
    paragraph.replaceWith(heading);
  });
  root.querySelectorAll("p.MsoQuote, p.MsoIntenseQuote").forEach((paragraph) => {
    const quote = root.ownerDocument.createElement("blockquote");
    paragraph.replaceWith(quote);
    quote.append(paragraph);
  });
}

// Google Docs nests a sublist directly in its list, where HTML wants it inside the item before it.
function googleNesting(root) {
  root.querySelectorAll("ul > ul, ul > ol, ol > ul, ol > ol").forEach((list) => {
    const item = list.previousElementSibling;
    if (item && item.tagName === "LI") { item.append(list); }
  });
}

// Google wraps published links as https://www.google.com/url?q=<the real address>.
function googleRedirects(root) {
  root.querySelectorAll("a[href^='https://www.google.com/url?']").forEach((link) => {
    const target = new URL(link.getAttribute("href")).searchParams.get("q");
    if (target) { link.setAttribute("href", target); }
  });
}

function isEmpty(element) {
  return !element.querySelector("img") && element.textContent.replace(/[\s\u00a0]/g, "") === "";
}

function plainSpaces(root) {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (text.data.includes("\u00a0")) { text.data = text.data.replace(/\u00a0/g, " "); }
  }
}

/** `html` from the clipboard, with word-processor markup turned into plain structure. */
export function cleanPastedHtml(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const root = doc.body;
  root.querySelectorAll(DROPPED).forEach((element) => element.remove());
  removeComments(root);
  root.querySelectorAll("b[id^='docs-internal-guid']").forEach(unwrap);
  Array.from(root.querySelectorAll("*")).filter((element) => element.localName.includes(":")).forEach(unwrap);
  wordStyles(root);
  wordLists(root);
  googleNesting(root);
  googleRedirects(root);
  root.querySelectorAll("p, h1, h2, h3, h4, h5, h6, li").forEach((element) => {
    if (isEmpty(element)) { element.remove(); }
  });
  Array.from(root.children).filter((element) => element.tagName === "BR").forEach((br) => br.remove());
  plainSpaces(root);
  return root.innerHTML;
}
