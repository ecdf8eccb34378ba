// Opening an exported notebook page the way a reader would — in headless Chromium with the
// network off — and checking that every picture drew: each SVG <img> decoded, each inline
// SVG has elements, each plotly figure has its plot, and the page raised no error. Uses
// playwright-core with the system's Chromium (Debian's `chromium`); never downloads a browser.
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";

/** The Chromium to drive: $BERT_LAB_CHROMIUM, else the usual system paths; null when none. */
export function findChromium(): string | null {
  const candidates = [process.env.BERT_LAB_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}

/**
 * node:test options for a test that needs Chromium: skips with the reason outside CI;
 * under CI=true it runs (.ci/run installs Debian's chromium).
 */
export function needsChromium(): { skip: string | false } {
  if (findChromium() || process.env.CI === "true") return { skip: false };
  return { skip: "needs Chromium (Debian: apt-get install chromium, or set BERT_LAB_CHROMIUM)" };
}

export interface PageCheck {
  /** every <img> holding an SVG output: decoded and its natural size */
  svgImages: { complete: boolean; width: number; height: number }[];
  /** inline <svg> elements in outputs (head views; plotly's own are counted under plotly) and how many shapes each has */
  inlineSvgs: number[];
  /** plotly figures: how many have a drawn plot (.main-svg or a WebGL canvas) of how many divs */
  plotly: { figures: number; drawn: number };
  /** uncaught exceptions and console errors */
  errors: string[];
  /** requests that tried to leave the machine (all refused) */
  blockedRequests: string[];
  /** the screenshot written, if asked */
  screenshot?: string;
}

export interface CheckOptions {
  /** write a full-page PNG here */
  screenshot?: string;
  /** page width (default 1000) */
  width?: number;
  /** ms to wait after load for scripts that draw late (plotly) — default 1500 */
  settleMs?: number;
}

/**
 * Opens `htmlFile` offline in headless Chromium and reports what drew.
 *
 * @example
 *   const r = await checkPage("out/01.html", { screenshot: "out/01.png" });
 *   r.errors   // []
 */
export async function checkPage(htmlFile: string, options: CheckOptions = {}): Promise<PageCheck> {
  const executablePath = findChromium();
  if (!executablePath) throw new BertLabError("NO_CHROMIUM", "no Chromium found: apt-get install chromium (Debian), or set BERT_LAB_CHROMIUM to a Chrome/Chromium binary");
  // playwright-core is a dev dependency: loaded only here, when a page is checked
  let playwright: typeof import("playwright-core");
  try {
    playwright = require("playwright-core") as typeof import("playwright-core");
  } catch {
    throw new BertLabError("NO_PLAYWRIGHT", "checking pages needs playwright-core (a dev dependency of bert-lab): npm install --save-dev playwright-core");
  }
  const { chromium } = playwright;
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"] });
  try {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1000, height: 800 }, offline: true });
    const blockedRequests: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      blockedRequests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()}`);
    });
    await page.goto("file://" + path.resolve(htmlFile), { waitUntil: "load" });
    await page.waitForTimeout(options.settleMs ?? 1500);
    const svgImages = await page.$$eval("img.bert-lab-svg", (els) =>
      els.map((e) => {
        const img = e as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
        return { complete: img.complete, width: img.naturalWidth, height: img.naturalHeight };
      }),
    );
    const inlineSvgs = await page.$$eval(".jp-OutputArea-output svg", (els) => els.filter((e) => !e.parentElement?.closest("svg") && !e.closest(".js-plotly-plot")).map((e) => e.querySelectorAll("rect, path, line, circle, text, image, polyline").length));
    const plotly = await page.$$eval(".js-plotly-plot, .bert-lab-plotly", (els) => {
      const figures = els.filter((e) => !e.parentElement?.closest(".js-plotly-plot, .bert-lab-plotly"));
      return { figures: figures.length, drawn: figures.filter((e) => e.querySelector(".main-svg, canvas") !== null).length };
    });
    let screenshot: string | undefined;
    if (options.screenshot) {
      fs.mkdirSync(path.dirname(options.screenshot), { recursive: true });
      await page.screenshot({ path: options.screenshot, fullPage: true });
      screenshot = options.screenshot;
    }
    return { svgImages, inlineSvgs, plotly, errors, blockedRequests, screenshot };
  } finally {
    await browser.close();
  }
}
