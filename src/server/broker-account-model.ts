import { Schema } from "effect"
import { defineModelKind } from "../deploy/model-kind.ts"
import type { TradingModel } from "../engine/trading-model.ts"

/** The kind of a broker account's model: it places no orders itself; the account's client does, through the broker API. */
export const BROKER_ACCOUNT_KIND = "broker-account"

const idle: TradingModel<null> = { initialState: null, onUpdate: (state) => ({ state }) }

/**
 * A simulation served by `paperfloor serve` is an account whose orders come from outside, so its
 * model only watches. Every registry that opens a store holding accounts needs this kind (the
 * server's and the command line's register it).
 */
export const brokerAccountKind = defineModelKind({
  kind: BROKER_ACCOUNT_KIND,
  description: "A broker account: places no orders of its own; its orders come from the broker API's clients",
  paramsSchema: Schema.Struct({}),
  create: () => idle
})
