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

/**
 * A string rewritten in place in block context, quoted as the scalar it
 * replaces was (`style`, the yaml package's Scalar type), so a value that goes
 * back is the very text it was. Plain there may also hold `,` and `=`; a value
 * plain would not keep a string is double-quoted.
 */
export function yamlScalarAs(value: string, style: string | undefined): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  const plain =
    style === 'PLAIN' &&
    /^[A-Za-z_/][A-Za-z0-9_./@:+,=-]*$/.test(value) &&
    !value.endsWith(':') &&
    !YAML11_WORDS.test(value);
  return plain ? value : JSON.stringify(value);
}
