// Small SVG inspection helpers for the chart tests (no XML parser dependency).
import assert from "node:assert/strict";

/** Asserts the text is one well-formed <svg> element: every tag closed, in order. */
export function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
  const stack: string[] = [];
  const body = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "").replace(/<!--[\s\S]*?-->/g, "");
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], "unclosed elements");
  assert.ok(body.trimEnd().endsWith("</svg>"));
}

/** For each `<g class="mark-TYPE role-mark …">` container: how many drawn elements it holds. */
export function markCounts(svg: string, type: string): number[] {
  const re = new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, "g");
  return [...svg.matchAll(re)].map((m) => (m[1].match(/<(path|line|text|rect|circle)\b/g) ?? []).length);
}
