/** What the page's script draws: one uPlot chart per spec, embedded in the page as JSON. */

export interface SeriesSpec {
  readonly label: string
  /** One value per x; null where there is none (drawn as a gap, or bridged with `spanGaps`). */
  readonly values: ReadonlyArray<number | null>
  readonly color: string
  /** Fills the area between the line and zero with this colour. */
  readonly fill?: string
  readonly spanGaps?: boolean
}

/** The y side of a chart: its series and how their values are shown (axis and legend). */
export interface ChartView {
  readonly yLabel: string
  readonly unit: "money" | "percent" | "ratio"
  readonly series: ReadonlyArray<SeriesSpec>
}

export interface ChartSpec extends ChartView {
  /** The id of the element the chart is drawn into. */
  readonly id: string
  readonly title: string
  /** "time": ms since the epoch, shown as UTC dates; "index": the update number (a run has updates without a time). */
  readonly xKind: "time" | "index"
  readonly x: ReadonlyArray<number>
  /** Points of the full series, before downsampling for display. */
  readonly totalPoints: number
  /** Another view of the same x, shown while the checkbox labelled `toggle` (checked at first) is unchecked. */
  readonly alternate?: ChartView & { readonly toggle: string }
}
