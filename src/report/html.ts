/** Escaping for everything user-controlled that goes into a report page. */

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

/** Text safe in element content and in quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/**
 * JSON safe inside a `<script type="application/json">` element: `<`, `>` and `&` become `\u` escapes
 * (so no `</script` or `<!--` can appear), and so do U+2028 and U+2029 (line terminators in older
 * JavaScript). `JSON.parse` of the element's text gives the value back unchanged.
 */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** A value shown as indented JSON, whatever it is (params are `unknown`: they may not be JSON). */
export const displayJson = (value: unknown): string => {
  if (value === undefined) return "(none)"
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) ?? String(value)
  } catch {
    return String(value)
  }
}

/** Library code inlined into a raw-text element (`script` or `style`) cannot close it early. */
export const inlineRawText = (code: string, element: "script" | "style"): string =>
  code.replace(new RegExp(`</(${element})`, "gi"), "<\\/$1")
