import { type Decimal, Decimal as OurDecimal, decimalString, digitsIn, LOG_BASE, trailingZeros } from "../../domain/decimal.ts"
import { numberText } from "../../domain/number-text.ts"

/**
 * Append-only columns for the run's history (fills, closed trades, ended orders). A long run keeps
 * every record; kept as objects and strings, each record was several young objects that survived
 * (copied by the scavenger, then marked and swept with the old generation ever after). Kept as
 * numbers in typed arrays, a record costs the collector nothing: the arrays hold no pointers.
 * Values a column has no number for (rare: long numerals, an exponent, a caller's text) are kept
 * as they are, beside the numbers.
 */

const INITIAL_CAPACITY = 256
/** Rows per chunk: 4,096 (32 KB of doubles), below the size at which the allocator maps fresh memory from the system for every chunk. */
const CHUNK_BITS = 12
const CHUNK_ROWS = 1 << CHUNK_BITS
const IN_CHUNK = CHUNK_ROWS - 1

type Values = Float64Array | Uint8Array | Uint16Array

/**
 * A column's values in chunks of CHUNK_ROWS (the first grows to that by doubling, so that a short
 * log stays small). A column that doubled as one array copied itself at every doubling into memory
 * just mapped, whose first touch costs a page fault per 4 KB; appending a chunk copies nothing. A
 * chunk is made only once it holds a value other than `empty`: a column that is mostly null (a
 * limit price of market orders, an expiry) or zero (the high digits of short numerals) costs next
 * to nothing.
 */
class Chunks<A extends Values> {
  readonly #chunks: Array<A | undefined> = []
  readonly #make: (length: number) => A
  readonly #empty: number
  /**
   * The chunk rows are being set in (`#at`), null while it is not made, and its length: nearly every
   * row goes there, without looking the chunk up and reading a typed array's length (each a few
   * checks, on every value of every record).
   */
  #current: A | null = null
  #at = -1
  #room = 0

  constructor(make: (length: number) => A, empty: number) {
    this.#make = make
    this.#empty = empty
  }

  get(row: number): number {
    const chunk = this.#chunks[row >>> CHUNK_BITS]
    return chunk === undefined ? this.#empty : chunk[row & IN_CHUNK]!
  }

  /** Sets `row`, at most one past the last row set. */
  set(row: number, value: number): void {
    const c = row >>> CHUNK_BITS
    const i = row & IN_CHUNK
    if (c === this.#at) {
      if (i < this.#room) {
        this.#current![i] = value
        return
      }
      if (this.#current === null && Object.is(value, this.#empty)) return
    }
    this.#setElsewhere(c, i, value)
  }

  /** Sets index `i` of chunk `c`, which becomes the current one. */
  #setElsewhere(c: number, i: number, value: number): void {
    let chunk = this.#chunks[c]
    this.#at = c
    // The first chunk, once made, grows with every row; a chunk not made holds only `empty`.
    if (chunk === undefined || i >= chunk.length) {
      if (chunk === undefined && Object.is(value, this.#empty)) {
        this.#current = null
        this.#room = 0
        return
      }
      chunk = this.#grown(c, chunk, i)
    }
    this.#current = chunk
    this.#room = chunk.length
    chunk[i] = value
  }

  /** Chunk `c` made or grown to hold index `i`. */
  #grown(c: number, chunk: A | undefined, i: number): A {
    let length = c > 0 ? CHUNK_ROWS : (chunk?.length ?? INITIAL_CAPACITY)
    while (length <= i) length *= 2
    const to = this.#make(length)
    if (this.#empty !== 0) to.fill(this.#empty)
    if (chunk !== undefined) to.set(chunk)
    this.#chunks[c] = to
    return to
  }
}

const doubles = (length: number) => new Float64Array(length)
const bytes = (length: number) => new Uint8Array(length)

/** Digits an exact double integer always holds: 10^15 < 2^53. A numeral's digits are kept in two such parts. */
const PART_DIGITS = 15
/** The most digits a numeral may have to be kept as numbers: two parts' worth (a full-precision price times a quantity fits). */
const MAX_DIGITS = 2 * PART_DIGITS
/** Added to the count of decimals of a negative numeral (at most 30). */
const NEGATIVE = 64
/** Marks of a row kept otherwise: null, or a string outside the form. */
const NULL_SCALE = 254
const OTHER_SCALE = 255
const ZEROS = "0".repeat(MAX_DIGITS + 1)
const POWERS_OF_TEN = Array.from({ length: PART_DIGITS + 1 }, (_, k) => 10 ** k)

/**
 * The numerals read lately, with their parts, shared by every decimal column: one fill's strings go
 * to several records (its price is its order's average price and a trade's, its quantity its
 * order's), and each is read once. A numeral has one slot (`slotOf`), so a lookup compares one
 * entry rather than searching them all. (Mostly the very same string is pushed again: V8 compares
 * those by pointer.)
 */
const RECENT = 64
const recentText: Array<string | null> = new Array<string | null>(RECENT).fill(null)
/**
 * Each numeral's length and last character, compared before the numeral itself: two strings that
 * are not one are compared by a call that reads them, and a numeral in the slot is mostly another
 * one by one of these.
 */
const recentLength = new Int32Array(RECENT).fill(-1)
const recentLast = new Int32Array(RECENT)
const recentLow = new Float64Array(RECENT)
const recentHigh = new Float64Array(RECENT)
const recentScale = new Uint8Array(RECENT)
/** What `readNumeral` read. */
let readLow = 0
let readHigh = 0
let readScale = 0

/**
 * A numeral's slot: its length, second, middle and last characters mixed. Numerals of one length
 * differ mostly in their last digits, or where their point is (a commission at a rate of 0.001 on
 * 100 shares is its price's digits with the point one place on: the second character tells them apart).
 */
const slotOf = (text: string, length: number, last: number): number =>
  (length * 31 + last * 7 + (text.charCodeAt(1) | 0) * 3 + text.charCodeAt(length >> 1)) & (RECENT - 1)

const isRecent = (slot: number, text: string, length: number, last: number): boolean =>
  recentLength[slot] === length && recentLast[slot] === last && recentText[slot] === text

const remember = (slot: number, text: string, length: number, last: number): void => {
  recentText[slot] = text
  recentLength[slot] = length
  recentLast[slot] = last
  recentLow[slot] = readLow
  recentHigh[slot] = readHigh
  recentScale[slot] = readScale
}

/**
 * The integer being made of a Decimal's digits (`pushDecimal`), in two parts of 15 digits, placed
 * from its last digit up: `placed` digits so far.
 */
let partLow = 0
let partHigh = 0
let placed = 0

/**
 * Places `width` digits (`value` < 10^width, width ≤ 7) in front of those placed in `partLow` and
 * `partHigh`. A group that straddles the parts is split by a remainder of a limb (a small integer:
 * one instruction, where a remainder of a 15-digit double is a call into the runtime); every product
 * stays below 10^15, so each is exact.
 */
const placeDigits = (value: number, width: number): void => {
  const at = placed
  placed = at + width
  if (at >= PART_DIGITS) partHigh += value * POWERS_OF_TEN[at - PART_DIGITS]!
  else if (at + width <= PART_DIGITS) partLow += value * POWERS_OF_TEN[at]!
  else {
    const unit = POWERS_OF_TEN[PART_DIGITS - at]!
    const rest = value % unit
    partLow += rest * POWERS_OF_TEN[at]!
    partHigh += (value - rest) / unit
  }
}

/** Reads a numeral of the form into `readLow`, `readHigh` and `readScale`; false for any other string. */
const readNumeral = (text: string): boolean => {
  const end = text.length
  const negative = text.charCodeAt(0) === 45 /* - */
  const first = negative ? 1 : 0
  // No leading zero but the units' own, no point without a digit before and after it.
  if (first === end || (text.charCodeAt(first) === 48 && first + 1 < end && text.charCodeAt(first + 1) !== 46)) return false
  // The point found first (a native search), so that the count of digits, and with it where the high
  // part ends, is known before the pass: each digit goes to its part, with no division after.
  const point = text.indexOf(".", first)
  if (point === first || point === end - 1) return false
  const digits = point < 0 ? end - first : end - first - 1
  const scale = point < 0 ? 0 : end - point - 1
  // Too many digits and a trailing zero of the decimals are outside the form.
  if (digits > MAX_DIGITS || (scale > 0 && text.charCodeAt(end - 1) === 48)) return false
  const highEnd = digits > PART_DIGITS ? first + digits - PART_DIGITS + (point >= 0 && point < first + digits - PART_DIGITS ? 1 : 0) : first
  let high = 0
  let low = 0
  for (let i = first; i < end; i++) {
    if (i === point) continue
    const digit = text.charCodeAt(i) - 48
    // A second point is not a digit either.
    if (digit < 0 || digit > 9) return false
    if (i < highEnd) high = high * 10 + digit
    else low = low * 10 + digit
  }
  // Minus zero is outside the form.
  if (negative && high === 0 && low === 0) return false
  readLow = low
  readHigh = high
  readScale = negative ? scale + NEGATIVE : scale
  return true
}

/**
 * A column of decimal strings as the engine writes them (`decimalString`, decimal.js's
 * `toString()`): a plain numeral, `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`, of at most 30 digits, is
 * kept as the integer of its digits (in two parts of 15) and the count of its decimals, and
 * written back digit for digit; null and any other string are kept as they are.
 */
export class DecimalColumn {
  /** The last 15 digits, and those before them. */
  readonly #low = new Chunks(doubles, 0)
  readonly #high = new Chunks(doubles, 0)
  /** The count of decimals, plus NEGATIVE for a negative numeral; or NULL_SCALE, OTHER_SCALE. */
  readonly #scales = new Chunks(bytes, 0)
  readonly #other = new Map<number, string>()
  #length = 0

  get length(): number {
    return this.#length
  }

  /** How many of its values are kept as text rather than as numbers. */
  get textCount(): number {
    return this.#other.size
  }

  push(text: string | null): void {
    const row = this.#length
    this.#length = row + 1
    if (text === null) {
      this.#scales.set(row, NULL_SCALE)
      return
    }
    // A numeral read lately (by any column: a fill's price is its order's average price too) is not read again.
    const length = text.length
    // (The empty string, which no numeral is, reads NaN here: it matches no slot, and is kept as text.)
    const last = text.charCodeAt(length - 1)
    const slot = slotOf(text, length, last)
    if (!isRecent(slot, text, length, last)) {
      if (!readNumeral(text)) return this.#keep(row, text)
      remember(slot, text, length, last)
    }
    this.#setNumber(row, recentLow[slot]!, recentHigh[slot]!, recentScale[slot]!)
  }

  /** Row `row` as numbers: its low and high parts and its scale mark. */
  #setNumber(row: number, low: number, high: number, scale: number): void {
    this.#low.set(row, low)
    this.#high.set(row, high)
    this.#scales.set(row, scale)
  }

  /**
   * Pushes what `push(decimalString(d))` would keep, from the Decimal's limbs (base 1e7, aligned on
   * the point): a figure the engine computed only to keep (a closed trade's P&L) is neither written
   * as a string nor read back. A numeral outside the form (past 30 digits) is written and kept as text.
   */
  pushDecimal(d: Decimal): void {
    const limbs = (d as unknown as { readonly d: ReadonlyArray<number> | null }).d
    if (limbs === null || d.constructor !== OurDecimal) return this.push(decimalString(d))
    const first = limbs[0]!
    const row = this.#length
    if (first === 0) {
      this.#length = row + 1
      return this.#setNumber(row, 0, 0, 0)
    }
    const top = Math.floor(d.e / LOG_BASE)
    const last = limbs.length - 1
    const bottom = top - last
    // Only a fraction's last limb has its trailing zeros dropped; an integer's are digits.
    const dropped = bottom < 0 ? trailingZeros(limbs[last]!) : 0
    const scale = bottom < 0 ? -LOG_BASE * bottom - dropped : 0
    // The numeral's digits, "0" before the point of a fraction below one included (as `readNumeral` counts them).
    if ((top >= 0 ? digitsIn(first) + LOG_BASE * top : 1) + scale > MAX_DIGITS) return this.push(decimalString(d))
    partLow = 0
    partHigh = 0
    // From the last digit up: an integer's zero limbs past its last (zeros add nothing), the last limb without its trailing zeros, then the others.
    placed = bottom > 0 ? LOG_BASE * bottom : 0
    placeDigits(dropped === 0 ? limbs[last]! : limbs[last]! / POWERS_OF_TEN[dropped]!, LOG_BASE - dropped)
    for (let i = last - 1; i >= 0; i--) placeDigits(limbs[i]!, LOG_BASE)
    this.#length = row + 1
    this.#setNumber(row, partLow, partHigh, d.s < 0 ? scale + NEGATIVE : scale)
  }

  at(row: number): string | null {
    const mark = this.#scales.get(row)
    if (mark === NULL_SCALE) return null
    if (mark === OTHER_SCALE) return this.#other.get(row)!
    const negative = mark >= NEGATIVE
    const scale = negative ? mark - NEGATIVE : mark
    const high = this.#high.get(row)
    const low = numberText(this.#low.get(row))
    const digits = high === 0 ? low : numberText(high) + ZEROS.slice(0, PART_DIGITS - low.length) + low
    let text = digits
    if (scale > 0) {
      // The digits padded to one more than the decimals, so that the units have at least their zero.
      const padded = digits.length > scale ? digits : ZEROS.slice(0, scale + 1 - digits.length) + digits
      const units = padded.length - scale
      text = `${padded.slice(0, units)}.${padded.slice(units)}`
    }
    return negative ? `-${text}` : text
  }

  #keep(row: number, text: string): void {
    this.#scales.set(row, OTHER_SCALE)
    this.#other.set(row, text)
  }
}

/** A column of numbers or nulls (times, update indices). NaN stands for null: the values kept are finite. */
export class NumberColumn {
  readonly #values = new Chunks(doubles, Number.NaN)
  #length = 0

  get length(): number {
    return this.#length
  }

  push(value: number | null): void {
    this.#values.set(this.#length++, value === null ? Number.NaN : value)
  }

  at(row: number): number | null {
    const value = this.#values.get(row)
    return value !== value ? null : value
  }
}

/**
 * A column of strings from a small set (symbols, sides, statuses, codes), each kept as its place in
 * the set; null has its own. A set grown past 65,534 values (a run over that many symbols) keeps
 * each row of a value beyond them as it is, beside the places: pushing never fails midway through
 * a record.
 */
export class ChoiceColumn<T extends string> {
  readonly #rows = new Chunks((length) => new Uint16Array(length), 0)
  readonly #choices: Array<T | null> = [null]
  readonly #places = new Map<T, number>()
  /** Rows of a value the set had no place left for. */
  readonly #others = new Map<number, T>()
  #length = 0

  get length(): number {
    return this.#length
  }

  /** The value pushed last and its place: a column mostly holds one value row after row (a run's one symbol, its market orders). */
  #lastValue: T | null = null
  #lastPlace = 0

  push(value: T | null): void {
    let place = this.#lastPlace
    if (value !== this.#lastValue) {
      place = value === null ? 0 : (this.#places.get(value) ?? this.#add(value))
      this.#lastValue = value
      this.#lastPlace = place
    }
    if (place === OTHER_CHOICE) this.#others.set(this.#length, value!)
    this.#rows.set(this.#length++, place)
  }

  at(row: number): T | null {
    const place = this.#rows.get(row)
    return place === OTHER_CHOICE ? this.#others.get(row)! : this.#choices[place]!
  }

  #add(value: T): number {
    if (this.#choices.length === OTHER_CHOICE) return OTHER_CHOICE
    this.#places.set(value, this.#choices.length)
    this.#choices.push(value)
    return this.#choices.length - 1
  }
}

/** The place that marks a row whose value is kept beside the places. */
const OTHER_CHOICE = 0xffff

/** A column of strings that are mostly null (a tag, a reason): only the others are kept. */
export class SparseColumn<T> {
  readonly #values = new Map<number, T>()
  #length = 0

  get length(): number {
    return this.#length
  }

  push(value: T | null): void {
    if (value !== null) this.#values.set(this.#length, value)
    this.#length += 1
  }

  at(row: number): T | null {
    return this.#values.get(row) ?? null
  }
}

/**
 * A column of ids of the engine's form, a prefix and a sequence number of at least six digits
 * (`O-000042`, `T-000007`), each kept as its number; any other id is kept as it is.
 */
export class SequenceIdColumn<T extends string> {
  readonly #numbers = new NumberColumn()
  readonly #other = new Map<number, T>()

  readonly #prefix: string
  readonly #fromSeq: (seq: number) => T

  constructor(prefix: string, fromSeq: (seq: number) => T) {
    this.#prefix = prefix
    this.#fromSeq = fromSeq
  }

  get length(): number {
    return this.#numbers.length
  }

  push(id: T): void {
    const seq = sequenceOf(id, this.#prefix)
    if (seq === null) this.#other.set(this.#numbers.length, id)
    this.#numbers.push(seq)
  }

  at(row: number): T {
    const seq = this.#numbers.at(row)
    return seq === null ? this.#other.get(row)! : this.#fromSeq(seq)
  }
}

/** The number of an id of the form `prefix` and six digits or more (more only without a leading zero: the padding is to six), or null. */
const sequenceOf = (id: string, prefix: string): number | null => {
  const start = prefix.length
  const count = id.length - start
  if (count < 6 || !id.startsWith(prefix) || (count > 6 && id.charCodeAt(start) === 48) || count > PART_DIGITS) return null
  let n = 0
  for (let i = start; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return null
    n = n * 10 + digit
  }
  return n
}
