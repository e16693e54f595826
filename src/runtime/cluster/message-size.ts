/**
 * The largest message a runner or a client takes (Effect's binary serialisation, 16 MiB unless
 * told): a `Snapshot` reply carries a whole simulation, history included, which a long run makes
 * larger than that. A frame past the bound is dropped by the reader, so its call never answers.
 */
export const MAX_CLUSTER_MESSAGE_BYTES = 1024 * 1024 * 1024
