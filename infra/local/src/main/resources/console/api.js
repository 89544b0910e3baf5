// The console's API client: the session (API address and token, in this tab's sessionStorage only) and
// GET requests carrying the token; a refusal becomes an ApiError with the API's own message.
"use strict";

const TOKEN_KEY = "ledger.console.token";
const API_KEY = "ledger.console.api";

// --- session: the token lives in this tab's sessionStorage only -------------------------------

function session() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const api = sessionStorage.getItem(API_KEY);
  return token && api ? { token, api } : null;
}

function rememberSession(api, token) {
  sessionStorage.setItem(API_KEY, api);
  sessionStorage.setItem(TOKEN_KEY, token);
}

function forgetSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(API_KEY);
}

// --- the API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** GET a path of the API with the session's token; the API's own error message on a refusal. */
async function api(path, params) {
  const s = session();
  const url = new URL(s.api.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") {
      url.searchParams.set(name, value);
    }
  }
  let response;
  try {
    response = await fetch(url, { headers: { Authorization: "Bearer " + s.token }, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "unreachable", "The API at " + s.api + " could not be reached (" + e.message + ").");
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (notJson) {
    body = null;
  }
  if (!response.ok) {
    // The ledger answers {"error","message"}; API Gateway itself {"message"}.
    const message = body && typeof body.message === "string" ? body.message : response.status + " " + response.statusText;
    throw new ApiError(response.status, body && body.error ? body.error : null, message, response.headers.get("Retry-After"));
  }
  return body;
}
