/**
 * The live page's sign-in: the browser posts the admin key once (a form, never a URL), and gets a
 * session cookie (`HttpOnly`, `SameSite=Strict`, path `/`): a fresh random token the server keeps
 * only as a SHA-256, for SESSION_MS, until it signs out or the server stops. The key is compared
 * in constant time (as digests, so its length is not told either).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

export const SESSION_COOKIE = "paperfloor_session"
export const SESSION_MS = 12 * 3_600_000

const digest = (text: string) => createHash("sha256").update(text).digest()
const tokenKey = (token: string) => digest(token).toString("hex")

/** The value of a cookie in a `Cookie` header, or undefined. */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=")
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}

export class PageSessions {
  readonly #adminDigest: Buffer | undefined
  readonly #clock: () => number
  /** Token digests and when each expires (ms). */
  readonly #sessions = new Map<string, number>()

  /** Without an admin key nobody signs in: the page is off, as the admin API is. */
  constructor(adminKey: string | undefined, clock: () => number) {
    this.#adminDigest = adminKey === undefined ? undefined : digest(adminKey)
    this.#clock = clock
  }

  get enabled(): boolean {
    return this.#adminDigest !== undefined
  }

  /** A new session's `Set-Cookie` value when `key` is the admin key; undefined otherwise. */
  signIn(key: string): string | undefined {
    if (this.#adminDigest === undefined || !timingSafeEqual(digest(key), this.#adminDigest)) return undefined
    const now = this.#clock()
    for (const [k, expires] of this.#sessions) if (expires <= now) this.#sessions.delete(k)
    const token = randomBytes(32).toString("base64url")
    this.#sessions.set(tokenKey(token), now + SESSION_MS)
    return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`
  }

  /** Whether the request's `Cookie` header holds a live session. */
  valid(cookieHeader: string | undefined): boolean {
    const token = cookieValue(cookieHeader, SESSION_COOKIE)
    if (token === undefined) return false
    const expires = this.#sessions.get(tokenKey(token))
    return expires !== undefined && expires > this.#clock()
  }

  /** Ends the request's session; the `Set-Cookie` value that clears the cookie. */
  signOut(cookieHeader: string | undefined): string {
    const token = cookieValue(cookieHeader, SESSION_COOKIE)
    if (token !== undefined) this.#sessions.delete(tokenKey(token))
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`
  }
}
