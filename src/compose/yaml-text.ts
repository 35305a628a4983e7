/**
 * Words YAML 1.1 reads as booleans or null. Compose v1 parses with PyYAML (YAML
 * 1.1), so `on` or `no` written plain would not stay strings there.
 */
const YAML11_WORDS = /^(y|n|yes|no|true|false|on|off|null|~)$/i;

/** A string as a YAML scalar for lines we write: plain when that is unambiguous, else double-quoted. */
export function yamlScalar(value: string): string {
  const plain = /^[A-Za-z_/][A-Za-z0-9_./@:+-]*$/.test(value) && !value.endsWith(':') && !YAML11_WORDS.test(value);
  // JSON string syntax is valid YAML double-quoted syntax.
  return plain ? value : JSON.stringify(value);
}
