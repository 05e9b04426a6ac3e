// PURE: header values are checked before a request is sent. A value with CR, LF or NUL would split the
// request (or make undici throw an error whose text holds the value); the name alone is reported.

const UNSAFE = /[\r\n\0]/;

/** The name of the first header whose value may not be sent, or undefined when all may. */
export function unsafeHeader(headers: Readonly<Record<string, string>>): string | undefined {
  return Object.entries(headers).find(([, value]) => UNSAFE.test(value))?.[0];
}
