/**
 * The text of a question as pieces and tokens, the unit every reader (machines, models, intent)
 * works on. A piece is what lies between spaces and punctuation ("RTX-3090" is two pieces, "rtx3090"
 * one); a token splits a piece where letters meet digits ("rtx3090" -> rtx, 3090; "m2max" -> m, 2,
 * max), so every spelling of a name meets at the same tokens. A match must start where a piece
 * starts and end where one ends, so "A10" is never found inside "Qwen3.5-122B-A10B".
 */

export interface Token {
  /** Lowercase text of the token. */
  t: string;
  /** Index of the piece it belongs to. */
  piece: number;
  /** First token of its piece / last token of its piece. */
  first: boolean;
  last: boolean;
  /** Offset in the original text, for cutting a match out. */
  start: number;
  end: number;
  /** A sentence or clause ended right before this token (".", "?", "!", ";", ","). */
  afterBreak: boolean;
  /** Joined to the token before by one "-", "_", "." or "/" ("cu128-b200", "v0.4.10-post2"). */
  joined: boolean;
}

const CJK_DIGITS: Record<string, string> = { 一: '1', 两: '2', 二: '2', 三: '3', 四: '4', 八: '8' };

/** The last text's tokens: the machine and model readers tokenize the same question one after the other. */
let last: { text: string; tokens: Token[] } | undefined;
/** Names are tokenized again and again (catalog names, aliases, spans); bounded. */
const nameCache = new Map<string, string[]>();

/** Tokens of a text (see the file comment). Linear in the text. Callers must not mutate them. */
export function tokensOf(text: string): Token[] {
  if (last?.text === text) return last.tokens;
  const tokens = tokenize(text);
  last = { text, tokens };
  return tokens;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Pieces: runs of letters, digits, dots between digits, and CJK characters (each one a piece).
  // "*" and "×" are tokens of their own: "H100*8" is a count.
  const re = /[a-z0-9µ]+(?:\.[0-9]+[a-z0-9µ]*)*|[\u3400-\u9fff]|[*×]/gi;
  let piece = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = m[0];
    // "4xRTX", "2xA100": a small count glued to a name, the x apart ("7900XTX" and "6800XT" are names).
    const split = raw.match(/[0-9]+(?:\.[0-9]+)*|[^0-9.]+/g) ?? [raw];
    // "2x3090": a lone x before a model number counts too ("8x7b" does not: 7 is no model number).
    const isCount = (i: number) =>
      i === 1 &&
      /^\d{1,2}$/.test(split[0]!) &&
      Number(split[0]) <= 64 &&
      (/^x[a-z]/i.test(split[1]!) || (/^x$/i.test(split[1]!) && /^\d{3,}$/.test(split[2] ?? '')));
    const parts = split.flatMap((p, i) => (isCount(i) && p.length > 1 ? [p[0]!, p.slice(1)] : [p]));
    let cursor = 0;
    parts.forEach((p, i) => {
      // Parts are the piece's own characters in order; a dot between them is skipped.
      const at = raw.indexOf(p, cursor);
      const start = m!.index + (at < 0 ? cursor : at);
      cursor = (at < 0 ? cursor : at) + p.length;
      // After a glued count ("4xRTX"), the name starts a piece of its own.
      const afterCount = i === 2 && isCount(1);
      if (afterCount) {
        out[out.length - 1]!.last = true;
        piece++;
      }
      const prevEnd = out[out.length - 1]?.end ?? 0;
      out.push({
        afterBreak: /[.?!;,。？！；，]/.test(text.slice(prevEnd, start)) && start > prevEnd,
        joined: out.length > 0 && /^[-_./]$/.test(text.slice(prevEnd, start)),
        // "双卡4090": a pair of cards ("双显卡" is a laptop's switchable graphics; "双路", "双通道" are
        // sockets and channels).
        t:
          p === '双' && text[start + 1] === '卡'
            ? '2'
            : // "2 2080tis", "two 3090 Tis": the plural of a Ti, after its model number.
              /^tis$/i.test(p) && /^\d{3,4}$/.test(out[out.length - 1]?.t ?? '')
              ? 'ti'
              : (CJK_DIGITS[p] ?? p.toLowerCase()),
        piece,
        first: i === 0 || afterCount,
        last: i === parts.length - 1,
        start,
        end: start + p.length,
      });
    });
    // Pieces joined by "-" or "_" stay apart as pieces; what joins them is not a token.
    piece++;
  }
  return out;
}

/** Token strings of a name ("GeForce RTX 3060 Ti" -> geforce, rtx, 3060, ti). */
export function nameTokens(name: string): string[] {
  let t = nameCache.get(name);
  if (!t) {
    if (nameCache.size > 20_000) nameCache.clear();
    nameCache.set(name, (t = tokenize(name).map((x) => x.t)));
  }
  return t;
}
/** Tokens of a name with where its pieces start, for the trie (see NameTrie.add). */
export const namePieces = (name: string): Token[] => tokenize(name);

/** A trie of token sequences, for finding the longest name starting at each token. */
export class NameTrie<V> {
  private root: TrieNode<V> = { next: new Map() };

  /** Adds a name; tokens glued in the name ("A2", "P40") must be glued in the text too ("a 2" is no A2). */
  add(tokens: string[] | Token[], value: V): void {
    if (tokens.length === 0) return;
    let n = this.root;
    for (const tok of tokens) {
      const t = typeof tok === 'string' ? tok : tok.first ? tok.t : `+${tok.t}`;
      let c = n.next.get(t);
      if (!c) {
        c = { next: new Map() };
        n.next.set(t, c);
      }
      n = c;
    }
    // The first name added for a token sequence wins (data order: more specific first).
    n.value ??= value;
  }

  /**
   * The longest name starting at token `i` that ends at the end of a piece (or before a plural
   * "s" or a memory size glued to it: "3090s", "4060ti16gb").
   */
  longest(tokens: Token[], i: number): { value: V; end: number } | undefined {
    if (!tokens[i]?.first) return undefined;
    let best: { value: V; end: number } | undefined;
    const walk = (n: TrieNode<V>, j: number) => {
      if (j >= tokens.length) return;
      const tok = tokens[j]!;
      const next = [n.next.get(tok.t), j > i && !tok.first ? n.next.get(`+${tok.t}`) : undefined];
      for (const c of next) {
        if (!c) continue;
        if (c.value !== undefined && endsCleanly(tokens, j) && (!best || j + 1 > best.end))
          best = { value: c.value, end: j + 1 };
        walk(c, j + 1);
      }
    };
    walk(this.root, i);
    return best;
  }
}

interface TrieNode<V> {
  next: Map<string, TrieNode<V>>;
  value?: V;
}

function endsCleanly(tokens: Token[], j: number): boolean {
  const tok = tokens[j]!;
  if (tok.last) return true;
  const next = tokens[j + 1]!;
  // "qwen3.8", "glm5": a version number glued to a name.
  if (/^[a-z]+$/.test(tok.t) && /^\d+(\.\d+)*$/.test(next.t) && /[a-z]{3}/.test(tok.t)) return true;
  if (next.t === 's' && next.last) return true;
  // "4090gpu", "3060gpus": a model number with the word for what it is glued on.
  if (/^\d+$/.test(tok.t) && /^gpus?$/.test(next.t) && next.last) return true;
  // "4060ti16gb", "3090x2": a size or a count glued on.
  if (/^\d+$/.test(next.t) && tokens[j + 2]?.t.match(/^(gb|g)$/)) return true;
  return next.t === 'x' && /^\d+$/.test(tokens[j + 2]?.t ?? '');
}

/**
 * Words one letter away from a vocabulary (a letter missing, extra or wrong, or two neighbours
 * swapped: "utra", "deepsek", "lama", "qwne"), found through deletion neighbourhoods: every word
 * and every one-letter deletion of it is a key, so a lookup costs a few map reads instead of a pass
 * over the vocabulary. Two words that lose a letter at different places share a key ("swan" and
 * "sana" both give "san") though they are two edits apart: those are other words, not typos, so a
 * key's word is taken only when it is truly one edit away.
 */
export class TypoIndex {
  private keys = new Map<string, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of words)
      for (const k of [w, ...deletions(w)]) {
        const at = this.keys.get(k);
        if (!at) this.keys.set(k, [w]);
        else if (!at.includes(w)) at.push(w);
      }
  }

  /** The vocabulary word one edit from `word`, if any (the word itself is no typo). */
  mend(word: string): string | undefined {
    for (const k of [word, ...deletions(word)])
      for (const w of this.keys.get(k) ?? []) if (w !== word && oneEdit(word, w)) return w;
    return undefined;
  }
}

function deletions(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/** One letter missing, extra or wrong, or two neighbours swapped ("qwne"). */
function oneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
