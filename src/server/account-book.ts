/**
 * The broker's accounts: each is one simulation (a deployment), reached by its own key pair. The
 * book lives in `<storageRoot>/server/accounts.json`; a secret is kept only as a salted SHA-256
 * (secrets are 240 random bits, so a slow hash adds nothing but latency on every request).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto"
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"

export interface Account {
  /** The account's id: its simulation's deployment id. */
  readonly id: string
  readonly keyId: string
  readonly salt: string
  readonly secretHash: string
  readonly createdAt: string
}

/** A new account's credentials: shown once, when it is created. */
export interface KeyPair {
  readonly keyId: string
  readonly secretKey: string
}

const FORMAT = 1
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const alphabetOf = (chars: string, length: number) => Array.from({ length }, () => chars[randomInt(chars.length)]).join("")

const hashOf = (salt: string, secret: string) => createHash("sha256").update(salt).update("\u0000").update(secret).digest("hex")

/** The same as Alpaca's paper keys look: `PK` and 18 letters or digits; a 40-character secret. */
export const newKeyPair = (): KeyPair => ({
  keyId: `PK${alphabetOf(ALPHABET, 18)}`,
  secretKey: alphabetOf(`${ALPHABET}abcdefghijklmnopqrstuvwxyz`, 40)
})

export class AccountBook {
  readonly path: string
  #accounts: Account[]
  #byKey: Map<string, Account>
  // Writes one at a time, in order: each writes the whole book.
  #writing: Promise<void> = Promise.resolve()

  private constructor(path: string, accounts: Account[]) {
    this.path = path
    this.#accounts = accounts
    this.#byKey = new Map(accounts.map((a) => [a.keyId, a]))
  }

  static async open(storageRoot: string): Promise<AccountBook> {
    const path = join(storageRoot, "server", "accounts.json")
    let text: string | undefined
    try {
      text = await readFile(path, "utf8")
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
    if (text === undefined) return new AccountBook(path, [])
    const parsed = JSON.parse(text) as { format?: unknown; accounts?: unknown }
    if (parsed.format !== FORMAT || !Array.isArray(parsed.accounts)) throw new Error(`${path} is not an account book of format ${FORMAT}`)
    return new AccountBook(path, parsed.accounts as Account[])
  }

  list(): ReadonlyArray<Account> {
    return this.#accounts
  }

  /** Records a new account for the simulation `id`; returns its key pair, which is not stored. */
  async add(id: string, now: Date): Promise<KeyPair> {
    const keys = newKeyPair()
    const salt = randomBytes(16).toString("hex")
    const account: Account = { id, keyId: keys.keyId, salt, secretHash: hashOf(salt, keys.secretKey), createdAt: now.toISOString() }
    const next = [...this.#accounts, account]
    const write = this.#writing.then(() => this.#write(next))
    this.#writing = write.catch(() => undefined)
    await write
    this.#accounts = next
    this.#byKey.set(account.keyId, account)
    return keys
  }

  /** The account these credentials open, or undefined; the secret is compared in constant time. */
  authenticate(keyId: string, secretKey: string): Account | undefined {
    const account = this.#byKey.get(keyId)
    if (account === undefined) return undefined
    const given = Buffer.from(hashOf(account.salt, secretKey), "hex")
    return timingSafeEqual(given, Buffer.from(account.secretHash, "hex")) ? account : undefined
  }

  async #write(accounts: ReadonlyArray<Account>): Promise<void> {
    await mkdir(join(this.path, ".."), { recursive: true })
    const temp = `${this.path}.${process.pid}.tmp`
    await writeFile(temp, `${JSON.stringify({ format: FORMAT, accounts }, null, 2)}\n`, { mode: 0o600 })
    await rename(temp, this.path)
  }
}
