/** What of a user's own words an answer may say back. */

/**
 * Words a chat client could turn into a link: a scheme (`https://`, `mailto:`), `www.`, a dot
 * followed by a letter anywhere (a domain, `evil.com.`, `x.y.io:1/a`; a model file's `.gguf` or
 * `.safetensors` is taken off first, and a quant after a dot, `.Q4_K_M`, is no domain), `host:port`, an IP address; and words that start or end in
 * markup (`_it_`, `-#`).
 */
const LINK_SHAPED =
  /^[\W_]|_$|\/\/|^(?:https?|ftp|file|data|javascript|mailto|tel|sms|discord|slack|steam):|^www\.|\.(?!i?q\d|b?f(?:16|32))[a-z]|^[\w.-]+:\d+(?:\/|$)|^\d+(?:\.\d+){3}/i;

/**
 * What of a user's text may be said back in a public answer: words of letters, digits and
 * `. _ + - : /` only, none shaped like a link or a domain, at most `max` characters. Whatever a
 * renderer does, a typed "[Claim your Nitro](https://...) 70b" then cannot become a masked link,
 * a mention or markup in the bot's own message (Discord or Slack).
 */
export function safeEcho(text: string, max: number): string {
  const words = text
    .split(/\s+/)
    .filter((w) => /^[\w.+:/-]+$/.test(w) && !LINK_SHAPED.test(w.replace(/\.(?:gguf|safetensors)$/i, '')));
  let out = '';
  for (const w of words) if (out.length + w.length + 1 <= max) out = out ? `${out} ${w}` : w;
  return out;
}
