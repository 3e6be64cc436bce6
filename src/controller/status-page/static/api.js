// The status page's HTTP calls: JSON reads and writes, both carrying the bearer token when one
// was entered (kept in this tab's sessionStorage only); with a token configured, the API answers
// reads other than progress with 401 until it is entered.
const TOKEN_KEY = 'beamloom-token'

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function setToken(value) {
  if (value === '') sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, value)
}

/** A read the API refused for want of a valid token (HTTP 401). */
export class TokenNeeded extends Error {}

/** Headers that carry the token, when one was entered. */
export function authHeaders() {
  const t = token()
  return t === '' ? {} : { authorization: `Bearer ${t}` }
}

export async function json(path) {
  const response = await fetch(path, { headers: authHeaders() })
  if (response.status === 401) throw new TokenNeeded(`${path}: a valid token is needed (top right)`)
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
  return response.json()
}

/**
 * POST `body` (bytes or text) to `path`. Resolves `{ok, status, message}`: the server's error
 * message when it refused (400 with the reason, 401 without a valid token).
 */
export async function post(path, body = undefined) {
  const headers = body === undefined ? {} : { 'content-type': 'application/octet-stream' }
  const t = token()
  if (t !== '') headers.authorization = `Bearer ${t}`
  const response = await fetch(path, { method: 'POST', headers, body })
  let message = ''
  try {
    const reply = await response.json()
    message = typeof reply === 'string' ? reply : (reply?.message ?? '')
  } catch {
    // An empty or non-JSON body: the status says enough.
  }
  if (response.status === 401) message = 'a valid token is needed: enter it at the top right'
  return { ok: response.ok, status: response.status, message }
}
