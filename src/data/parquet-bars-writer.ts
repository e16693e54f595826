/**
 * Bars to a Parquet file, through hyparquet-writer, a row group at a time: columns `time`
 * (TIMESTAMP, ms, UTC), `symbol` (STRING), `open`, `high`, `low`, `close`, `volume` (DOUBLE), the
 * layout `readParquetBars` finds by itself.
 */
import { fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer"
import type { BarRecord } from "./market-records.ts"

export interface ParquetBarsWriteOptions {
  /** Rows per row group (default 100,000): what a reader holds in memory at once. */
  readonly rowGroupSize?: number
}

/** Writes the bars (in the order given) and returns how many rows and row groups it wrote. */
export const writeParquetBars = async (
  path: string,
  bars: Iterable<BarRecord> | AsyncIterable<BarRecord>,
  { rowGroupSize = 100_000 }: ParquetBarsWriteOptions = {}
): Promise<{ rows: number; rowGroups: number }> => {
  let writer: ParquetWriter | undefined
  let group = emptyGroup()
  let rows = 0
  const flush = async () => {
    const columnData = [
      { name: "time", data: group.time, type: "TIMESTAMP" as const, nullable: false },
      { name: "symbol", data: group.symbol, type: "STRING" as const, nullable: false },
      ...(["open", "high", "low", "close", "volume"] as const).map((name) => ({ name, data: group[name], type: "DOUBLE" as const, nullable: false }))
    ]
    writer ??= new ParquetWriter({ writer: fileWriter(path), schema: schemaFromColumnData({ columnData }) })
    // One write, one row group (the writer's default would split the first 1,000 rows off).
    await writer.write({ columnData, rowGroupSize: Math.max(1, group.time.length) })
    rows += group.time.length
    group = emptyGroup()
  }
  for await (const bar of bars) {
    group.time.push(bar.time)
    group.symbol.push(bar.symbol)
    group.open.push(bar.open)
    group.high.push(bar.high)
    group.low.push(bar.low)
    group.close.push(bar.close)
    group.volume.push(bar.volume)
    if (group.time.length >= rowGroupSize) await flush()
  }
  // An empty file still gets its schema.
  if (group.time.length > 0 || writer === undefined) await flush()
  await writer!.finish()
  return { rows, rowGroups: writer!.row_groups.length }
}

const emptyGroup = () => ({
  time: [] as number[],
  symbol: [] as string[],
  open: [] as number[],
  high: [] as number[],
  low: [] as number[],
  close: [] as number[],
  volume: [] as number[]
})
