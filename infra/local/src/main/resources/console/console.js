// The auditors' console: read-only pages over the ledger's HTTP API (api.js), built with page.js.
// Plain JavaScript, no build step.
"use strict";

function signOut() {
  forgetSession();
  location.hash = "#/";
  route();
}

// --- routes: #/account/ID, #/transfer/ID, #/transaction/ID ------------------------------------

async function route() {
  clearError();
  const s = session();
  $("session").hidden = !s;
  if (!s) {
    $("api-base").value = $("api-base").value || location.origin;
    show("sign-in-page", "sign-in-title");
    return;
  }
  $("signed-in-as").textContent = "API " + s.api;
  const match = /^#\/(account|transfer|transaction)\/(.+)$/.exec(location.hash);
  if (!match) {
    show("home-page", "home-title");
    return;
  }
  const id = decodeURIComponent(match[2]);
  try {
    if (match[1] === "account") {
      await openAccount(id);
    } else {
      await openTransfer(match[1], id);
    }
  } catch (e) {
    showError(e);
  }
}

// --- the accounts page: a search over GET /accounts --------------------------------------------

// The query the shown page belongs to, the cursors of the pages before it (for "previous"), its own
// cursor and the next page's. A new search starts again at page 1.
const searchView = { params: null, cursors: [], current: null, next: null };

/** The form as GET /accounts' parameters; the API alone decides which combinations it answers. */
function searchParams() {
  const params = {
    idPrefix: $("search-prefix").value.trim(),
    currency: $("search-currency").value.trim().toUpperCase(),
    status: $("search-status").value,
    limit: $("search-limit").value,
  };
  const metadata = $("search-metadata").value.trim();
  if (metadata !== "") {
    const at = metadata.indexOf("=");
    if (at < 1) {
      throw new Error("Metadata must be key=value, such as region=north");
    }
    params["metadata." + metadata.slice(0, at).trim()] = metadata.slice(at + 1).trim();
  }
  return params;
}

async function loadAccounts() {
  const page = await api("/accounts", { ...searchView.params, cursor: searchView.current });
  const tbody = $("accounts").tBodies[0];
  tbody.replaceChildren();
  for (const a of page.accounts) {
    const c = a.currency;
    row(tbody, [{ node: link(a.accountId, "#/account/" + encodeURIComponent(a.accountId)) }, a.status, c,
      { text: money(a.balance, c), className: "num" },
      { text: a.available === null ? "unlimited" : money(a.available, c), className: "num" },
      { text: a.version, className: "num" }]);
  }
  $("accounts-caption").textContent = "Accounts, page " + (searchView.cursors.length + 1)
      + " (" + page.accounts.length + " accounts)";
  noneIfEmpty(tbody, "no accounts match");
  searchView.next = page.nextCursor;
  $("accounts-next").disabled = !page.nextCursor;
  $("accounts-previous").disabled = searchView.cursors.length === 0;
}

async function search() {
  clearError();
  try {
    searchView.params = searchParams();
    searchView.cursors = [];
    searchView.current = null;
    await loadAccounts();
  } catch (e) {
    $("accounts").tBodies[0].replaceChildren();
    noneIfEmpty($("accounts").tBodies[0], "not listed: see the message above");
    $("accounts-caption").textContent = "Accounts (not listed)";
    $("accounts-next").disabled = true;
    $("accounts-previous").disabled = true;
    showError(e);
  }
}

async function pageAccounts(forward) {
  clearError();
  try {
    if (forward) {
      searchView.cursors.push(searchView.current);
      searchView.current = searchView.next;
    } else {
      searchView.current = searchView.cursors.pop();
    }
    await loadAccounts();
  } catch (e) {
    showError(e);
  }
}

// --- the account page -------------------------------------------------------------------------

const historyView = { accountId: null, cursors: [], current: null, next: null };

async function openAccount(accountId) {
  $("account-title").textContent = "Account " + accountId;
  show("account-page", "account-title");
  for (const id of ["account-verify", "as-of-result", "export-result"]) {
    $(id).textContent = "";
  }
  $("account-summary").replaceChildren();
  $("account-metadata").replaceChildren();
  $("history").tBodies[0].replaceChildren();
  $("transfers").tBodies[0].replaceChildren();
  historyView.accountId = accountId;
  historyView.cursors = [];
  historyView.current = null;
  transfersView.cursors = [];
  transfersView.current = null;
  const account = await api("/accounts/" + encodeURIComponent(accountId));
  const c = account.currency;
  facts($("account-summary"), [
    ["Status", account.status],
    ["Currency", c],
    ["Balance", money(account.balance, c)],
    ["Available", account.available === null ? "unlimited (no overdraft limit)" : money(account.available, c)],
    ["Pending debits (holds)", money(account.debitsPending, c)],
    ["Pending credits (holds)", money(account.creditsPending, c)],
    ["Debits posted", money(account.debitsPosted, c)],
    ["Credits posted", money(account.creditsPosted, c)],
    ["Overdraft limit", account.overdraftLimit === null ? "unlimited" : money(account.overdraftLimit, c)],
    ["Shards", account.shards === undefined ? 1 : account.shards],
    ["Version", account.version],
  ]);
  metadataFacts($("account-metadata"), account.metadata);
  await Promise.all([loadVerify(accountId), loadHistory(), loadTransfers()]);
}

async function loadVerify(accountId) {
  const target = $("account-verify");
  try {
    const v = await api("/audit/accounts/" + encodeURIComponent(accountId) + "/verify");
    target.replaceChildren();
    if (v.valid) {
      target.append(el("span", "Valid", "valid"),
          " — " + v.events + " events, head hash ", el("code", v.headHash));
    } else {
      target.append(el("span", "Broken", "invalid"),
          " — first bad version " + v.firstBadVersion + (v.firstBadShard !== undefined && v.firstBadShard !== null
              ? " of shard " + v.firstBadShard : "") + ", " + v.events + " events read");
    }
  } catch (e) {
    target.textContent = "Not checked: " + e.message;
  }
}

async function loadHistory() {
  const params = {
    limit: $("history-limit").value,
    from: instant($("history-from"), "From"),
    to: instant($("history-to"), "To"),
    cursor: historyView.current,
    order: $("history-order").value,
  };
  const title = params.order === "effective" ? "History by effective date" : "History";
  const tbody = $("history").tBodies[0];
  let page;
  try {
    page = await api("/accounts/" + encodeURIComponent(historyView.accountId) + "/history", params);
  } catch (e) {
    // No stale rows or caption from another page or account: the message says why there are none.
    tbody.replaceChildren();
    $("history-caption").textContent = title + " (not shown)";
    noneIfEmpty(tbody, "not shown: see the message above");
    $("history-next").disabled = true;
    $("history-previous").disabled = true;
    throw e;
  }
  tbody.replaceChildren();
  for (const e of page.entries) {
    const about = e.transactionId ? link(e.transactionId, "#/transaction/" + encodeURIComponent(e.transactionId))
        : e.transferId ? link(e.transferId, "#/transfer/" + encodeURIComponent(e.transferId)) : null;
    const counterparty = e.counterpartyAccountId
        ? link(e.counterpartyAccountId, "#/account/" + encodeURIComponent(e.counterpartyAccountId)) : null;
    // An entry's instant picks it for the balance as of, on its basis: one click (or Enter) shows the balance then.
    const recorded = pickAsOf(e.recordedAt, "recorded");
    // Most entries count when recorded; only a dated one shows its own instant, so backdating stands out.
    const effective = !e.effectiveAt ? ""
        : { node: pickAsOf(e.effectiveAt, "effective", e.effectiveAt === e.recordedAt ? "as recorded" : e.effectiveAt) };
    row(tbody, [e.version, { node: recorded }, effective, e.type, about ? { node: about } : "",
      counterparty ? { node: counterparty } : "",
      { text: e.amount === undefined ? "" : e.amount, className: "num" },
      { text: e.balanceAfter === undefined ? "" : e.balanceAfter, className: "num" }]);
  }
  $("history-caption").textContent = title + ", page " + (historyView.cursors.length + 1)
      + " (" + page.entries.length + " entries)";
  noneIfEmpty(tbody, "no entries" + (params.from || params.to ? " in this range" : ""));
  historyView.next = page.nextCursor;
  $("history-next").disabled = !page.nextCursor;
  $("history-previous").disabled = historyView.cursors.length === 0;
}

/** A button (showing the instant, or the text given) that, pressed, shows the balance as of it on the basis. */
function pickAsOf(at, basis, text) {
  const button = el("button", text || at, "linklike");
  button.type = "button";
  button.setAttribute("aria-label", "Balance as of " + at + ", " + basis + " basis");
  button.addEventListener("click", () => {
    $("as-of").value = at;
    $("basis-" + basis).checked = true;
    $("as-of-form").requestSubmit();
  });
  return button;
}

async function pageHistory(forward) {
  clearError();
  try {
    if (forward) {
      historyView.cursors.push(historyView.current);
      historyView.current = historyView.next;
    } else {
      historyView.current = historyView.cursors.pop();
    }
    await loadHistory();
  } catch (e) {
    showError(e);
  }
}

// --- the account's transfers: GET /transfers?accountId= -----------------------------------------

// Like the history's: the cursors of the pages before the shown one, its own, and the next page's.
const transfersView = { cursors: [], current: null, next: null };

/** What a row moves: a transfer's amount; a transaction's entries on this account (it has no one amount). */
function transferAmount(t, accountId) {
  if (t.kind !== "transaction") {
    return money(t.amount, t.currency);
  }
  return (t.entries || []).filter((entry) => entry.accountId === accountId)
      .map((entry) => money(entry.amount, entry.currency)).join(", ");
}

async function loadTransfers() {
  const accountId = historyView.accountId;
  // The history form's range: GET /transfers bounds the recorded instant, whichever order the history shows.
  const params = {
    accountId,
    limit: $("transfers-limit").value,
    from: instant($("history-from"), "From"),
    to: instant($("history-to"), "To"),
    cursor: transfersView.current,
  };
  const tbody = $("transfers").tBodies[0];
  let page;
  try {
    page = await api("/transfers", params);
  } catch (e) {
    tbody.replaceChildren();
    $("transfers-caption").textContent = "Transfers (not shown)";
    noneIfEmpty(tbody, "not shown: see the message above");
    $("transfers-next").disabled = true;
    $("transfers-previous").disabled = true;
    throw e;
  }
  tbody.replaceChildren();
  for (const t of page.transfers) {
    const id = t.kind === "transaction" ? t.transactionId : t.transferId;
    row(tbody, [{ node: link(id, "#/" + t.kind + "/" + encodeURIComponent(id)) }, t.kind, t.status,
      { text: transferAmount(t, accountId), className: "num" }, t.recordedAt]);
  }
  $("transfers-caption").textContent = "Transfers, page " + (transfersView.cursors.length + 1)
      + " (" + page.transfers.length + " transfers and transactions)";
  noneIfEmpty(tbody, "none" + (params.from || params.to ? " recorded in this range" : ""));
  transfersView.next = page.nextCursor;
  $("transfers-next").disabled = !page.nextCursor;
  $("transfers-previous").disabled = transfersView.cursors.length === 0;
}

async function pageTransfers(forward) {
  clearError();
  try {
    if (forward) {
      transfersView.cursors.push(transfersView.current);
      transfersView.current = transfersView.next;
    } else {
      transfersView.current = transfersView.cursors.pop();
    }
    await loadTransfers();
  } catch (e) {
    showError(e);
  }
}

async function showAsOf(event) {
  event.preventDefault();
  clearError();
  $("as-of-result").textContent = "";
  try {
    const asOf = instant($("as-of"), "The instant");
    const basis = document.querySelector("input[name=basis]:checked").value;
    const b = await api("/accounts/" + encodeURIComponent(historyView.accountId) + "/balance", { asOf, basis });
    $("as-of-result").textContent = "Balance at " + b.asOf + " (" + b.basis + " basis): " + money(b.balance, b.currency)
        + " (after version " + b.version + ")";
    $("as-of-result").dataset.balance = b.balance;
  } catch (e) {
    showError(e);
  }
}

/** Every page of the account's events, one line each as replay export writes them, as a file. */
async function exportEvents() {
  clearError();
  const accountId = historyView.accountId;
  $("export-result").textContent = "Exporting…";
  try {
    const lines = [];
    let cursor = null;
    do {
      const page = await api("/audit/accounts/" + encodeURIComponent(accountId) + "/events", { cursor });
      lines.push(...page.lines);
      cursor = page.nextCursor;
    } while (cursor);
    // The lines are the API's strings, joined untouched: re-encoding them could change what the hash covers.
    const blob = new Blob([lines.map((line) => line + "\n").join("")], { type: "application/x-ndjson" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = accountId.replace(/[^A-Za-z0-9._-]/g, "_") + "-events.jsonl";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    $("export-result").textContent = "Exported " + lines.length + " events to " + a.download + ".";
  } catch (e) {
    $("export-result").textContent = "";
    showError(e);
  }
}

// --- the transfer and transaction page --------------------------------------------------------

async function openTransfer(kind, id) {
  const isTransfer = kind === "transfer";
  $("transfer-title").textContent = (isTransfer ? "Transfer " : "Transaction ") + id;
  show("transfer-page", "transfer-title");
  for (const table of ["transfer-legs", "transfer-statuses", "transfer-reversals"]) {
    $(table).tBodies[0].replaceChildren();
  }
  $("transfer-summary").replaceChildren();
  $("transfer-metadata").replaceChildren();
  const t = await api((isTransfer ? "/transfers/" : "/transactions/") + encodeURIComponent(id));
  const accountLink = (accountId) => ({ node: link(accountId, "#/account/" + encodeURIComponent(accountId)) });
  const summary = [["Status", t.status]];
  if (isTransfer) {
    summary.push(["Amount", money(t.amount, t.currency)], ["Posted", money(t.postedAmount, t.currency)],
        ["Pending", money(t.pendingAmount, t.currency)], ["Reversed", money(t.reversedAmount, t.currency)],
        ["Still reversible", money(t.reversibleAmount, t.currency)]);
  }
  if (t.effectiveAt !== undefined) summary.push(["Effective", t.effectiveAt]);
  summary.push(["Recorded", t.recordedAt], ["Expires", t.expiresAt], ["Version", t.version]);
  if (t.rejectionCode) summary.push(["Rejected", t.rejectionCode + ": " + t.rejectionMessage]);
  if (!isTransfer && t.reversed !== undefined) summary.push(["Reversed", t.reversed ? "yes" : "no"]);
  facts($("transfer-summary"), summary);

  const legs = $("transfer-legs").tBodies[0];
  if (isTransfer) {
    t.legs.forEach((leg, i) => row(legs, [i, accountLink(leg.accountId), leg.side.toLowerCase(),
      { text: leg.amount, className: "num" }, t.currency]));
  } else {
    for (const entry of t.entries) {
      row(legs, [entry.index, accountLink(entry.accountId), entry.direction, { text: entry.amount, className: "num" },
        entry.currency]);
    }
  }
  const statuses = $("transfer-statuses").tBodies[0];
  for (const change of t.statusHistory || []) {
    row(statuses, [change.status, change.version, change.recordedAt]);
  }
  // A transaction's answer has its status now, not a history of it.
  noneIfEmpty(statuses, isTransfer ? "none" : "not kept for transactions: the status above is the current one");
  const reversals = $("transfer-reversals").tBodies[0];
  for (const r of t.reversals || (t.reversal ? [t.reversal] : [])) {
    row(reversals, [r.reversalId, { text: r.amount === undefined ? "whole" : money(r.amount, t.currency), className: "num" },
      r.forced ? "yes" : "no", r.version, r.recordedAt]);
  }
  noneIfEmpty(reversals, "none");
  metadataFacts($("transfer-metadata"), t.metadata);
}

// --- wiring -----------------------------------------------------------------------------------

function onSubmit(formId, handler) {
  $(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    handler(event);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  onSubmit("sign-in-form", () => {
    rememberSession($("api-base").value.trim(), $("token").value.trim());
    $("token").value = "";
    route();
  });
  $("sign-out").addEventListener("click", signOut);
  const open = (kind, input) => () => {
    location.hash = "#/" + kind + "/" + encodeURIComponent($(input).value.trim());
  };
  onSubmit("open-account-form", open("account", "open-account-id"));
  onSubmit("open-transfer-form", open("transfer", "open-transfer-id"));
  onSubmit("open-transaction-form", open("transaction", "open-transaction-id"));
  // The range bounds both tables: a new one starts each again at its first page.
  onSubmit("history-form", async () => {
    clearError();
    historyView.cursors = [];
    historyView.current = null;
    transfersView.cursors = [];
    transfersView.current = null;
    try {
      await Promise.all([loadHistory(), loadTransfers()]);
    } catch (e) {
      showError(e);
    }
  });
  onSubmit("transfers-form", async () => {
    clearError();
    transfersView.cursors = [];
    transfersView.current = null;
    try {
      await loadTransfers();
    } catch (e) {
      showError(e);
    }
  });
  onSubmit("search-form", search);
  $("accounts-next").addEventListener("click", () => pageAccounts(true));
  $("accounts-previous").addEventListener("click", () => pageAccounts(false));
  $("history-next").addEventListener("click", () => pageHistory(true));
  $("history-previous").addEventListener("click", () => pageHistory(false));
  $("transfers-next").addEventListener("click", () => pageTransfers(true));
  $("transfers-previous").addEventListener("click", () => pageTransfers(false));
  $("as-of-form").addEventListener("submit", showAsOf);
  $("export").addEventListener("click", exportEvents);
  window.addEventListener("hashchange", route);
  route();
});
