/** A token (RFC 9110 section 5.6.2): what a method or a header name is made of. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The options a Connection header lists (RFC 9110 section 7.6.1), in lower case. */
export function connectionTokens(value: string): Set<string> {
  const tokens = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') tokens.add(name);
  }
  return tokens;
}
