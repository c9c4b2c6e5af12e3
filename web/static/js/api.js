// The storefront's only way to the server. Errors come back as ApiError with
// the service's own code and message, which the pages show as they are. Every
// call asks for the page's language (Accept-Language): the gateway answers
// error messages in it, keeping the English code (web/README.md).
import { t, lang } from './i18n.js';

/** ApiError is a failed call: status 0 means the gateway could not be reached. */
export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

let onUnauthorized = () => {};

/** setUnauthorizedHandler is told when a call finds the session gone, to update the header. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * request calls the gateway and returns {status, data}. Pass body (sent as
 * JSON), headers (e.g. Idempotency-Key) and signal (to abandon the call).
 */
export async function request(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', 'Accept-Language': lang(), ...headers }, signal, credentials: 'same-origin' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', t('error.NETWORK'));
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || `HTTP_${res.status}`,
      e.message || t('error.HTTP', { status: res.status, text: res.statusText }), e.details);
    // A 401 on the trainer's and admin routes is about the admin token, not the shopper's session.
    const tokenRoute = path.startsWith('/api/trainer/') || path.startsWith('/api/admin/');
    if (res.status === 401 && path !== '/api/session' && !tokenRoute) onUnauthorized(err);
    throw err;
  }
  return { status: res.status, data };
}

/** api is request returning only the decoded body. */
export async function api(path, options) {
  return (await request(path, options)).data;
}

/** isAbort tells a call abandoned on navigation from a real failure. */
export function isAbort(err) {
  return err && err.name === 'AbortError';
}
