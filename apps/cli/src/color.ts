/**
 * Whether to colour a stream, by the usual conventions (https://no-color.org,
 * https://force-color.org): flags first, then FORCE_COLOR, then a non-empty NO_COLOR, then
 * TERM=dumb, else whether that stream is a terminal. Diagnostics go to stderr, so they follow
 * stderr — `dlm check bad.dlm 2>err.txt` writes no escape codes.
 */
export function shouldColor(streamIsTTY: boolean, env: Record<string, string | undefined>, flags: { color?: boolean; noColor?: boolean } = {}): boolean {
  if (flags.noColor) return false;
  if (flags.color) return true;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR']) return false;
  if (env['TERM'] === 'dumb') return false;
  return streamIsTTY;
}

/**
 * Whether a progress line may be redrawn in place (carriage return + erase-line escape): only on a
 * terminal that understands escapes, so TERM=dumb, pipes and files get plain periodic lines.
 */
export function canRedraw(streamIsTTY: boolean, env: Record<string, string | undefined>): boolean {
  return streamIsTTY && env['TERM'] !== 'dumb';
}
