/**
 * An SVG chart of a run: for every figure measured against a baseline, a bar for ours and one
 * for the baseline, scaled to the larger of the two (so each pair reads as a ratio).
 */
import { ratioText, type Figure } from "./measure.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The SVG text for `figures` (those with a baseline), titled `title`. */
export function chart(figures: readonly Figure[], title: string): string {
  const pairs = figures.filter((f) => f.baseline !== undefined);
  const rowHeight = 46;
  const labelWidth = 330;
  const barWidth = 420;
  const width = labelWidth + barWidth + 150;
  const height = 50 + pairs.length * rowHeight;
  const rows = pairs.map((f, i) => {
    const y = 40 + i * rowHeight;
    const max = Math.max(f.value, f.baseline!.value);
    const ours = (barWidth * f.value) / max;
    const base = (barWidth * f.baseline!.value) / max;
    const met = f.target === undefined ? "#4a7bd0" : f.target.met ? "#3a9a4a" : "#d0643a";
    return [
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${esc(`${f.case}: ${f.metric}`)}</text>`,
      `<text x="${labelWidth - 8}" y="${y + 32}" text-anchor="end" fill="#777">${esc(f.baseline!.name)}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${ours.toFixed(1)}" height="16" fill="${met}"/>`,
      `<rect x="${labelWidth}" y="${y + 20}" width="${base.toFixed(1)}" height="16" fill="#bbb"/>`,
      `<text x="${(labelWidth + ours + 6).toFixed(1)}" y="${y + 14}">${esc(`${fmt(f.value)} ${f.unit}${f.ratio === undefined ? "" : `  (${ratioText(f)})`}`)}</text>`,
      `<text x="${(labelWidth + base + 6).toFixed(1)}" y="${y + 32}" fill="#777">${esc(`${fmt(f.baseline!.value)} ${f.unit}`)}</text>`,
    ].join("\n  ");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `  <rect width="100%" height="100%" fill="white"/>`,
    `  <text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `  ${rows.join("\n  ")}`,
    `</svg>`,
    "",
  ].join("\n");
}
