// Building the console's pages: data goes in as text (textContent), never as markup. Every amount is
// shown exactly as the API gives it: decimal strings already in the currency's minor unit (e.g.
// "25.00" EUR, "1500" JPY), never parsed into numbers, so no floating point touches money.
"use strict";

const $ = (id) => document.getElementById(id);
const PAGES = ["sign-in-page", "home-page", "account-page", "transfer-page"];

function showError(e) {
  const box = $("error");
  // A read model away, or one moments behind another (a list's row not projected yet), is not an error in
  // the request: the page says so in amber, and when to try again.
  const unavailable = e instanceof ApiError && e.status === 503 && e.code === "projection_unavailable";
  const behind = e instanceof ApiError && e.status === 503 && e.code === "projection_behind";
  box.classList.toggle("unavailable", unavailable || behind);
  if (!(e instanceof ApiError)) {
    box.textContent = String(e && e.message ? e.message : e);
  } else {
    let text = unavailable ? "The read model is temporarily unavailable: " + e.message : e.message;
    if (e.code) {
      text += " (" + e.code + ", HTTP " + e.status + ")";
    } else if (e.status) {
      text += " (HTTP " + e.status + ")";
    }
    if (e.status === 503 && e.retryAfter) {
      text += ". Try again in " + e.retryAfter + " s.";
    }
    if (e.status === 401 || e.status === 403) {
      text += ". Sign in again with an auditor or payments token.";
    }
    box.textContent = text;
  }
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

// --- building the page (text only) ------------------------------------------------------------

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function link(text, hash) {
  const a = el("a", text);
  a.href = hash;
  return a;
}

function money(amount, currency) {
  return amount === null || amount === undefined ? "—" : amount + (currency ? " " + currency : "");
}

function facts(dl, pairs) {
  dl.replaceChildren();
  for (const [name, value] of pairs) {
    dl.append(el("dt", name));
    const dd = el("dd");
    if (value instanceof Node) {
      dd.append(value);
    } else {
      dd.textContent = value === null || value === undefined ? "—" : String(value);
    }
    dl.append(dd);
  }
}

function metadataFacts(dl, metadata) {
  const entries = Object.entries(metadata || {});
  facts(dl, entries.length ? entries.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]) : [["(none)", ""]]);
}

function row(tbody, cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell && cell.node instanceof Node) {
      td.append(cell.node);
      if (cell.className) td.className = cell.className;
    } else if (cell && typeof cell === "object" && "text" in cell) {
      td.textContent = cell.text === null || cell.text === undefined ? "" : String(cell.text);
      if (cell.className) td.className = cell.className;
    } else {
      td.textContent = cell === null || cell === undefined ? "" : String(cell);
    }
    tr.append(td);
  }
  tbody.append(tr);
}

/** A table with no rows says so, in one cell across its columns. */
function noneIfEmpty(tbody, text) {
  if (tbody.rows.length === 0) {
    const td = el("td", text, "none");
    td.colSpan = tbody.parentElement.tHead.rows[0].cells.length;
    const tr = el("tr");
    tr.append(td);
    tbody.append(tr);
  }
}

function show(pageId, titleId) {
  for (const id of PAGES) {
    $(id).hidden = id !== pageId;
  }
  // Keyboard and screen-reader users land on the new page's heading.
  if (titleId) {
    $(titleId).focus();
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

/** An instant typed by the user, as the API takes it (ISO-8601 in UTC); "" when empty. */
function instant(input, label) {
  const value = input.value.trim();
  if (value === "") return "";
  if (!ISO_INSTANT.test(value)) {
    throw new Error(label + " must be an ISO-8601 instant in UTC, such as 2026-01-31T23:59:59Z");
  }
  return value;
}

