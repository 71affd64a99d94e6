/** ANSI colours, or none: every renderer takes a Palette, so --no-color is a different palette. */
export interface Palette {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) =>
  s === '' ? s : `\x1b[${open}m${s}\x1b[${close}m`;

export const ANSI: Palette = {
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  magenta: wrap(35, 39),
  cyan: wrap(36, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const id = (s: string) => s;
export const PLAIN: Palette = {
  red: id,
  green: id,
  yellow: id,
  blue: id,
  magenta: id,
  cyan: id,
  dim: id,
  bold: id,
};

/** Colour when asked for, else when stdout is a terminal and NO_COLOR is not set (no-color.org). */
export function useColor(
  flag: boolean | null,
  isTTY: boolean,
  env: Record<string, string | undefined>,
): boolean {
  if (flag !== null) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

/** Remove ANSI escapes (for widths and tests). */
export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point.
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
