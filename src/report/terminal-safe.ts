import type { ScanResult } from '../core/result.js';

/**
 * Strings from a scanned repository (file names, code, schema and SQL names inside messages) must
 * not drive the reader's terminal: an ESC or OSC sequence in a comment could erase a finding and
 * draw a fake summary, a CR or LF could forge a line. Each control character becomes its visible
 * Unicode "control picture" (ESC -> ␛, LF -> ␊), one character for one, so columns stay where they
 * were; C1 controls and the bidi overrides become U+FFFD. Tabs are kept.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

/** The result with every string it carries made terminal-safe (the text reporter's input). */
export function terminalSafeResult(result: ScanResult): ScanResult {
  return deepMap(result) as ScanResult;
}

function deepMap(value: unknown): unknown {
  if (typeof value === 'string') return terminalSafe(value);
  if (Array.isArray(value)) return value.map(deepMap);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = deepMap(inner);
    return out;
  }
  return value;
}
