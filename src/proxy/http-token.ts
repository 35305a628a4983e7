/** A token (RFC 9110 section 5.6.2): what a method or a header name is made of. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
