// The live feed: a WebSocket stream of trades, quotes and bars as market updates.
export { alpacaLayout, type AlpacaCredentials, type AlpacaStockFeed, alpacaStockStreamUrl } from "./alpaca-layout.ts"
export type { LayoutItem, LayoutSession, LiveFeedLayout, LiveSubscription } from "./feed-layout.ts"
export { barMessage, type FeedMessage, type FeedMessageKind, type MessagePlace, quoteMessage, tradeMessage } from "./feed-message.ts"
export { FeedSequencer, type SequencerOutput, type SequencerSettings } from "./feed-sequencer.ts"
export { type LiveFeedClock, systemClock } from "./live-feed-clock.ts"
export { LiveFeedError, type LiveFeedEvent, type LiveFeedStats } from "./live-feed-events.ts"
export {
  LIVE_FEED_FORMAT,
  LIVE_FEED_FORMAT_VERSION,
  LiveBar,
  LiveEnd,
  LiveError,
  LiveHeartbeat,
  type LiveMarketMessage,
  type LiveMessage,
  LiveQuote,
  LiveSubscribe,
  LiveTrade
} from "./live-feed-format.ts"
export { LiveFeed, type LiveFeedOptions, liveFeedStream, openLiveFeed, type ReconnectOptions } from "./live-feed.ts"
export { paperfloorLayout, subscribeRequest } from "./paperfloor-layout.ts"
export { backoffDelay, type BackoffSettings } from "./reconnect-backoff.ts"
export { type ReplayServer, type ReplayServerOptions, serveLiveFeed } from "./replay-server.ts"
