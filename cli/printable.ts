/**
 * Text from outside (a gateway's answer, a file's bytes quoted in an error) made safe for a terminal:
 * control characters (escape sequences, newlines that would forge lines) shown as \u escapes.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
