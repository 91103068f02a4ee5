/** C0 controls but tab and newline, DEL, and the C1 controls (0x80-0x9f: CSI, OSC in their 8-bit forms). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the input (object names, file names, API messages) made safe for a terminal: control characters become
 * visible escapes (`\x1b`), so a hostile name cannot recolour the screen, clear it, set the window title or plant a
 * hyperlink. Applied to every logger message before the logger adds its own colours, and to the text reports (md, html,
 * JUnit XML, where most of these characters are not even allowed).
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
