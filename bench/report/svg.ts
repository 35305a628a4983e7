/** Text for SVG/XML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Coordinates with at most one decimal, so the files stay small and diff well. */
export const px = (n: number): string => String(Math.round(n * 10) / 10);
