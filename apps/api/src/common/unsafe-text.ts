// Characters that must not survive into names and reasons taken from headers: C0 and C1 control
// characters (CR/LF forge log lines and headers, ESC and CSI drive terminals) and the Unicode
// bidirectional controls, which make "statement<U+202E>fdp.exe" display as "statementexe.pdf".
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every unsafe character removed. */
export const withoutUnsafe = (text: string) => text.replace(UNSAFE_TEXT, '');

/** The text with every unsafe character turned into a space, for prose where words must stay apart. */
export const unsafeAsSpaces = (text: string) => text.replace(UNSAFE_TEXT, ' ');
