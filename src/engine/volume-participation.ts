import { Decimal, decimalOf } from "../domain/decimal.ts"
import { wholeLots } from "../domain/instrument.ts"
import type { Quote } from "../domain/market-update.ts"

/**
 * Volume-limited fills (`volumeParticipation: f`): on one update, one order fills at most
 * ⌊f × the bar's volume⌋, in whole lots of its symbol (of 1 without instrument data). The cap is
 * recomputed on every update, with no carry-over; an update without a volume has no cap.
 */
export class VolumeParticipation {
  readonly #fraction: Decimal
  readonly #lots: ReadonlyMap<string, Decimal>

  constructor(fraction: number, lots: ReadonlyMap<string, Decimal>) {
    this.#fraction = decimalOf(fraction)
    this.#lots = lots
  }

  /** The most one order may fill on this update, or null when the update carries no volume for the symbol. */
  cap(quote: Quote): Decimal | null {
    const volume = quote.source.volume
    if (volume === undefined) return null
    return wholeLots(this.#fraction.times(volume), this.#lots.get(quote.symbol) ?? null)
  }
}
