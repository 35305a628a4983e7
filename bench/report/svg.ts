/** Text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Coordinates with at most one decimal, so the files stay small and diff well. */
export const px = (n: number): string => String(Math.round(n * 10) / 10);

/** The opening of a chart: the root element, a white ground, a title and a subtitle at `left`. */
export function svgOpen(width: number, height: number, left: number, title: string, subtitle: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="44" fill="#555">${escapeXml(subtitle)}</text>`,
  ];
}

/** Tableau 10, the charts' series colours in order. */
export const COLOURS = ['#e15759', '#f28e2b', '#4e79a7', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];
