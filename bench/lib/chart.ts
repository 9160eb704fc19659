/**
 * A line chart as SVG, made into a PNG by the Chromium Playwright already uses for e2e tests
 * (/usr/bin/chromium or PLAYWRIGHT_CHROMIUM_EXECUTABLE): no service, no network.
 */
import { existsSync, writeFileSync } from "node:fs";
import { chromium } from "@playwright/test";

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  /** Right-hand axis (e.g. error counts). */
  right?: boolean;
}

const W = 800;
const H = 420;
const M = { left: 64, right: 64, top: 48, bottom: 56 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

export function lineChartSvg(opts: { title: string; xLabel: string; yLabel: string; rightLabel?: string; series: Series[]; threshold?: { y: number; label: string } }): string {
  const xs = opts.series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = niceMax(Math.max(...xs));
  const yMax = niceMax(Math.max(...opts.series.filter((s) => !s.right).flatMap((s) => s.points.map((p) => p.y)), opts.threshold?.y ?? 0));
  const rMax = niceMax(Math.max(1, ...opts.series.filter((s) => s.right).flatMap((s) => s.points.map((p) => p.y))));
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number, right = false) => H - M.bottom - (y / (right ? rMax : yMax)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${+y.toFixed(1)}</text>`);
    if (opts.rightLabel) out.push(`<text x="${W - M.right + 6}" y="${py(y) + 4}">${+((rMax * i) / 5).toFixed(1)}</text>`);
    const x = (xMax * i) / 5;
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 18}" text-anchor="middle">${+x.toFixed(1)}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${py(0)}" stroke="#333"/>`);
  out.push(`<text x="${W / 2}" y="${H - 14}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  if (opts.rightLabel) out.push(`<text transform="translate(${W - 14} ${H / 2}) rotate(90)" text-anchor="middle">${esc(opts.rightLabel)}</text>`);
  if (opts.threshold) {
    const y = py(opts.threshold.y);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${W - M.right - 4}" y="${y - 6}" text-anchor="end" fill="#c00">${esc(opts.threshold.label)}</text>`);
  }
  opts.series.forEach((s, i) => {
    const pts = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y, s.right).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.right ? ' stroke-dasharray="3 3"' : ""}/>`);
    for (const p of s.points) out.push(`<circle cx="${px(p.x)}" cy="${py(p.y, s.right)}" r="3.5" fill="${s.color}"/>`);
    out.push(`<rect x="${M.left + 12}" y="${M.top + 4 + i * 18}" width="14" height="4" fill="${s.color}"/>`);
    out.push(`<text x="${M.left + 32}" y="${M.top + 10 + i * 18}">${esc(s.name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}

/** Renders the SVG to a PNG of the same size with Chromium. */
export async function svgToPng(svg: string, file: string): Promise<void> {
  const executablePath = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
  const browser = await chromium.launch({ executablePath });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    writeFileSync(file, await page.screenshot({ type: "png" }));
  } finally {
    await browser.close();
  }
}
