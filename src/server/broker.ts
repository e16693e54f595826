/**
 * The broker over one store: its deployer (which owns the store while the broker is open) and its
 * account book. Each account is a started simulation of the broker-account model, so its orders
 * come only from the broker API.
 */
import { ValidationError } from "../domain/errors.ts"
import type { SimulationConfigInput } from "../domain/simulation-config.ts"
import { LocalArtifactStore } from "../deploy/artifact-store.ts"
import { DeploymentManager } from "../deploy/deployment-manager.ts"
import { ModelRegistry } from "../deploy/model-registry.ts"
import { PaperTradingDeployer } from "../deploy/paper-trading-deployer.ts"
import type { ClusterClientOptions } from "../runtime/cluster/cluster-supervisor.ts"
import { type Account, AccountBook, type KeyPair } from "./account-book.ts"
import { BROKER_ACCOUNT_KIND, brokerAccountKind } from "./broker-account-model.ts"
import { MarketTape } from "./market-tape.ts"

/**
 * An account's simulation unless its config says otherwise: Alpaca's paper account as a client
 * knows it (no commission, shorting allowed, no position cap, no daily stop-loss, the NYSE's
 * sessions, minute updates) with $100,000.
 */
export const ACCOUNT_DEFAULTS = {
  initialCapital: 100_000,
  commissionRate: 0,
  slippageRate: 0,
  maxPositionSize: 1,
  dailyStopLoss: null,
  enableShorting: true,
  updateFrequency: "1min",
  calendar: "XNYS"
} as const satisfies SimulationConfigInput

const MODEL = { modelId: "broker-account", modelVersion: "v1" } as const

export interface NewAccount {
  readonly account: Account
  readonly keys: KeyPair
}

/** An account as the admin APIs list it: never its secret's hash. */
export const accountListing = (account: Account) => ({ id: account.id, key_id: account.keyId, created_at: account.createdAt })

/** A new account as the admin APIs answer it: the only time its secret is shown. */
export const newAccountListing = ({ account, keys }: NewAccount) => ({ id: account.id, key_id: keys.keyId, secret_key: keys.secretKey, created_at: account.createdAt })

export class Broker {
  readonly root: string
  readonly paper: PaperTradingDeployer
  readonly accounts: AccountBook
  /** The server's one market, fed to every account (see market-tape.ts). */
  readonly market: MarketTape
  readonly #now: () => Date

  private constructor(root: string, paper: PaperTradingDeployer, accounts: AccountBook, market: MarketTape, now: () => Date) {
    this.root = root
    this.paper = paper
    this.accounts = accounts
    this.market = market
    this.#now = now
  }

  /**
   * Opens the store and holds it (another process gets `StoreLockedError`) until `close`; gives
   * the market's last batch to the accounts that had not taken it (see market-tape.ts).
   */
  static async open(
    storageRoot: string,
    now: () => Date = () => new Date(),
    options: { readonly marketWindow?: number; readonly cluster?: ClusterClientOptions } = {}
  ): Promise<Broker> {
    const artifactStore = new LocalArtifactStore({ storageRoot })
    const modelRegistry = new ModelRegistry({ artifactStore, kinds: [brokerAccountKind] })
    const deploymentManager = new DeploymentManager({ modelRegistry, artifactStore })
    const paper = new PaperTradingDeployer({ deploymentManager, modelRegistry, artifactStore, now, ...(options.cluster === undefined ? {} : { cluster: options.cluster }) })
    await paper.open()
    try {
      const accounts = await AccountBook.open(artifactStore.storageRoot)
      const market = await MarketTape.open({ storageRoot: artifactStore.storageRoot, paper, accounts, ...(options.marketWindow === undefined ? {} : { window: options.marketWindow }) })
      return new Broker(artifactStore.storageRoot, paper, accounts, market, now)
    } catch (e) {
      await paper.close()
      throw e
    }
  }

  /** A new account: its simulation (`config` over ACCOUNT_DEFAULTS) deployed and started, and its key pair. */
  async createAccount(config: unknown = {}): Promise<NewAccount> {
    if (config === null || typeof config !== "object" || Array.isArray(config))
      throw new ValidationError({ subject: "config", issues: [{ field: "(config)", rule: "must be an object of simulation config fields", value: config }] })
    const simulationConfig = { ...ACCOUNT_DEFAULTS, ...config } as SimulationConfigInput
    const registry = this.paper.modelRegistry
    const known = await registry.listModels()
    if (!known.some((m) => m.modelId === MODEL.modelId)) {
      await registry.registerModel({ modelId: MODEL.modelId, version: MODEL.modelVersion, kind: BROKER_ACCOUNT_KIND, params: {}, description: "paperfloor serve's accounts" })
    }
    const id = await this.paper.deployToPaperTrading({ ...MODEL, simulationConfig })
    await this.paper.startSimulation(id)
    const keys = await this.accounts.add(id, this.#now())
    return { account: this.accounts.list().find((a) => a.id === id)!, keys }
  }

  async close(): Promise<void> {
    await this.market.close()
    await this.paper.close()
  }
}
