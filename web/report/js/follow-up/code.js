// The receipt code as the reporter sees and types it (chalicelib/reports/receipt_code.py):
// 20 characters of the reference alphabet, shown in five groups of four joined by "-".
// Typed codes are normalised as the API normalises them: upper case, spaces and dashes
// dropped.

/** The reference alphabet: no vowels, no 0/O, 1/I/L, U/V (chalicelib/reports/reference.py). */
const ALPHABET = "23456789BCDFGHJKMNPQRSTWXZ";
const LENGTH = 20;
const GROUP = 4;

/** The code as typed, as the API reads it: upper case, without spaces and dashes. */
export function normaliseCode(typed) {
  return String(typed || "")
    .toUpperCase()
    .replace(/[\s-]+/g, "");
}

/** Whether a normalised code can be a receipt code at all (the API's 400 otherwise). */
export function isWellFormed(code) {
  return code.length === LENGTH && [...code].every((character) => ALPHABET.includes(character));
}

/** The code's groups of four, for showing it ("BCDF", "2345", ...). */
export function codeGroups(code) {
  const plain = normaliseCode(code);
  const groups = [];
  for (let at = 0; at < plain.length; at += GROUP) groups.push(plain.slice(at, at + GROUP));
  return groups;
}
