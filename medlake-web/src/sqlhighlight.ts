/** A small SQL tokenizer for highlighting: every character of the input lands in exactly one token. */
export type TokenKind = "keyword" | "function" | "string" | "number" | "comment" | "identifier" | "quoted" | "operator" | "space";

export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    "select from where group by order having limit offset as and or not in is null between like ilike distinct case when then else end " +
    "join left right inner outer full cross on using union all except intersect with asc desc true false cast interval over partition " +
    "filter within nulls first last exists any some qualify window rows range"
  ).split(" "),
);

const RULES: [TokenKind, RegExp][] = [
  ["space", /\s+/y],
  ["comment", /--[^\n]*|\/\*[\s\S]*?(\*\/|$)/y],
  ["string", /'(?:[^']|'')*'?/y],
  ["quoted", /"(?:[^"]|"")*"?/y],
  ["number", /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
  ["identifier", /[A-Za-z_][A-Za-z0-9_$]*/y],
  ["operator", /<>|<=|>=|!=|\|\||::|[-+*/%=<>(),.;[\]{}:!|&^~?]/y],
];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < sql.length) {
    let matched = false;
    for (const [kind, pattern] of RULES) {
      pattern.lastIndex = position;
      const match = pattern.exec(sql);
      if (match && match[0].length > 0) {
        let tokenKind = kind;
        if (kind === "identifier") {
          const rest = sql.slice(position + match[0].length);
          tokenKind = KEYWORDS.has(match[0].toLowerCase()) ? "keyword" : /^\s*\(/.test(rest) ? "function" : "identifier";
        }
        tokens.push({ kind: tokenKind, text: match[0] });
        position += match[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      tokens.push({ kind: "operator", text: sql[position]! });
      position++;
    }
  }
  return tokens;
}

/** The user's own SQL history, newest first, kept in this browser only (the server never stores query text). */
export class SqlHistory {
  static readonly MAX = 50;
  private readonly key: string;

  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem">,
    user: string,
  ) {
    this.key = "medlake.sql-history." + user;
  }

  list(): string[] {
    try {
      const value: unknown = JSON.parse(this.storage.getItem(this.key) ?? "[]");
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
    } catch {
      return [];
    }
  }

  /** Records a statement: moved to the front if already there, the oldest dropped beyond MAX. */
  add(sql: string): string[] {
    const text = sql.trim();
    const list = [text, ...this.list().filter((item) => item !== text)].slice(0, SqlHistory.MAX);
    this.storage.setItem(this.key, JSON.stringify(list));
    return list;
  }
}
