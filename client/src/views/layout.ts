/**
 * Pure layout arithmetic for the video area, kept free of the DOM so it can
 * be tested on its own.
 */

export interface GridFit {
  columns: number;
  rows: number;
  /** Tile size in CSS pixels (16:9 unless told otherwise). */
  width: number;
  height: number;
}

/**
 * The columns and rows that make `count` tiles of `aspect` (width / height)
 * as large as they can be inside `width` × `height`, with `gap` between
 * them. Tiles never shrink below `minWidth`: past that the area scrolls.
 */
export function fitGrid(count: number, width: number, height: number, gap = 8, aspect = 16 / 9, minWidth = 0): GridFit {
  const tiles = Math.max(1, count);
  let best: GridFit = { columns: 1, rows: tiles, width: 0, height: 0 };
  for (let columns = 1; columns <= tiles; columns++) {
    const rows = Math.ceil(tiles / columns);
    const byWidth = (width - gap * (columns - 1)) / columns;
    const byHeight = ((height - gap * (rows - 1)) / rows) * aspect;
    const tileWidth = Math.floor(Math.min(byWidth, byHeight));
    // Same size: fewer empty cells wins (the first, fewest columns, for a tie).
    if (tileWidth > best.width) best = { columns, rows, width: tileWidth, height: Math.floor(tileWidth / aspect) };
  }
  if (best.width < minWidth) {
    // Too many to fit: as many columns of the smallest size as the width takes, and scroll.
    const columns = Math.max(1, Math.min(tiles, Math.floor((width + gap) / (minWidth + gap))));
    const tileWidth = Math.floor(Math.min(width, (width - gap * (columns - 1)) / columns));
    best = { columns, rows: Math.ceil(tiles / columns), width: tileWidth, height: Math.floor(tileWidth / aspect) };
  }
  return best;
}

/** Up to two initials from a display name: "Kim Kowalski" → "KK", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = (words.length > 1 ? [words[0]!, words[words.length - 1]!] : words).map((word) => [...word][0] ?? '');
  return letters.join('').toLocaleUpperCase() || '?';
}

/** A stable hue for a name, so each person's initials keep their colour. */
export function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}
