/**
 * Arithmetic for the `calculator` tool: a recursive-descent parser over a small grammar, never
 * eval (the expression is written by a model, which is steered by whatever text it has read).
 *
 *   expression := term (("+" | "-") term)*
 *   term       := unary (("*" | "/" | "%") unary)*
 *   unary      := ("-" | "+") unary | power
 *   power      := primary ("^" unary)?            right-associative; -2^2 = -(2^2)
 *   primary    := number | constant | function "(" expression ("," expression)* ")" | "(" expression ")"
 *
 * Every failure is a CalculatorError whose message says what is wrong, in a sentence.
 */

export const MAX_EXPRESSION_CHARS = 500;

export class CalculatorError extends Error {
  override name = "CalculatorError";
}

// Maps, not object literals: a name such as "__proto__" or "constructor" must not find anything.
const CONSTANTS = new Map<string, number>([
  ["pi", Math.PI],
  ["e", Math.E],
]);

interface Fn {
  arity: [min: number, max: number];
  apply(args: number[]): number;
}

/** The argument's one value: arity is checked before apply. */
const one = (f: (x: number) => number): Fn => ({ arity: [1, 1], apply: (a) => f(a[0]!) });

function positive(name: string, f: (x: number) => number): Fn {
  return one((x) => {
    if (x <= 0) throw new CalculatorError(`${name} is only defined for numbers above 0, not ${x}.`);
    return f(x);
  });
}

const FUNCTIONS = new Map<string, Fn>(Object.entries({
  sqrt: one((x) => {
    if (x < 0) throw new CalculatorError(`The square root of a negative number (${x}) is not a real number.`);
    return Math.sqrt(x);
  }),
  abs: one(Math.abs),
  // round(x) to an integer, round(x, n) to n decimals; halves away from zero, as people round.
  round: {
    arity: [1, 2],
    apply: ([x, digits = 0]) => {
      if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new CalculatorError(`round's second argument is a number of decimals from 0 to 15, not ${digits}.`);
      const f = 10 ** digits;
      return (Math.sign(x!) * Math.round(Math.abs(x!) * f)) / f;
    },
  },
  floor: one(Math.floor),
  ceil: one(Math.ceil),
  sin: one(Math.sin),
  cos: one(Math.cos),
  tan: one(Math.tan),
  log: positive("log", Math.log10),
  ln: positive("ln", Math.log),
  exp: one(Math.exp),
  min: { arity: [1, Infinity], apply: (a) => Math.min(...a) },
  max: { arity: [1, Infinity], apply: (a) => Math.max(...a) },
} satisfies Record<string, Fn>));

const KNOWN = `numbers, + - * / % ^, parentheses, the constants ${[...CONSTANTS.keys()].join(" and ")}, and the functions ${[...FUNCTIONS.keys()].join(", ")}`;

type Token =
  | { kind: "number"; value: number; at: number }
  | { kind: "name"; value: string; at: number }
  | { kind: "op"; value: string; at: number }
  | { kind: "end"; at: number };

const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y;
const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      tokens.push({ kind: "number", value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ kind: "name", value: name[0].toLowerCase(), at: i });
      i += name[0].length;
      continue;
    }
    if ("+-*/%^(),".includes(c)) {
      tokens.push({ kind: "op", value: c, at: i });
      i++;
      continue;
    }
    throw new CalculatorError(`The character "${c}" at position ${i + 1} is not part of arithmetic: use ${KNOWN}.`);
  }
  tokens.push({ kind: "end", at: source.length });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === "end" ? "the end of the expression" : `"${token.value}" at position ${token.at + 1}`;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    const value = this.expression();
    const next = this.peek();
    if (next.kind !== "end") throw new CalculatorError(`Unexpected ${describe(next)}: an operator or the end was expected.`);
    return value;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.value === value;
  }

  private expect(value: string, what: string): void {
    if (!this.isOp(value)) throw new CalculatorError(`${what} was expected before ${describe(this.peek())}.`);
    this.i++;
  }

  private expression(): number {
    let value = this.term();
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      const right = this.term();
      value = op === "+" ? value + right : value - right;
    }
    return value;
  }

  private term(): number {
    let value = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      const right = this.unary();
      if (op === "*") value *= right;
      else if (right === 0) throw new CalculatorError(op === "/" ? "Division by zero is not defined." : "The remainder of a division by zero is not defined.");
      else value = op === "/" ? value / right : value % right;
    }
    return value;
  }

  private unary(): number {
    if (this.isOp("-")) {
      this.i++;
      return -this.unary();
    }
    if (this.isOp("+")) {
      this.i++;
      return this.unary();
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (!this.isOp("^")) return base;
    this.i++;
    // The exponent is a unary, which reaches power again: 2^3^2 = 2^(3^2), and 2^-1 works.
    const exponent = this.unary();
    const value = base ** exponent;
    if (Number.isNaN(value)) throw new CalculatorError(`${base}^${exponent} is not a real number.`);
    return value;
  }

  private primary(): number {
    const t = this.tokens[this.i++]!;
    if (t.kind === "number") return t.value;
    if (t.kind === "op" && t.value === "(") {
      const value = this.expression();
      this.expect(")", 'A closing ")"');
      return value;
    }
    if (t.kind === "name") {
      const fn = FUNCTIONS.get(t.value);
      if (fn && this.isOp("(")) {
        this.i++;
        const args = [this.expression()];
        while (this.isOp(",")) {
          this.i++;
          args.push(this.expression());
        }
        this.expect(")", `A closing ")" after the arguments of ${t.value}`);
        const [min, max] = fn.arity;
        if (args.length < min || args.length > max) {
          const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} or ${max}`;
          throw new CalculatorError(`${t.value} takes ${wanted} argument${wanted === "1" ? "" : "s"}, not ${args.length}.`);
        }
        return fn.apply(args);
      }
      if (fn) throw new CalculatorError(`${t.value} is a function: write ${t.value}(...).`);
      const constant = CONSTANTS.get(t.value);
      if (constant !== undefined) return constant;
      throw new CalculatorError(`Unknown name "${t.value}": use ${KNOWN}.`);
    }
    throw new CalculatorError(`Unexpected ${describe(t)}: a number, a name or "(" was expected.`);
  }
}

/**
 * The value of `expression`, to 15 significant digits (what a double holds for sure: 0.1 + 0.2
 * is 0.3, as on a desk calculator).
 */
export function evaluate(expression: string): number {
  if (expression.length > MAX_EXPRESSION_CHARS) throw new CalculatorError(`The expression is ${expression.length} characters long; the calculator takes at most ${MAX_EXPRESSION_CHARS}.`);
  if (!expression.trim()) throw new CalculatorError("The expression is empty.");
  const value = new Parser(tokenize(expression)).parse();
  if (Number.isNaN(value)) throw new CalculatorError("The result is not a real number.");
  if (!Number.isFinite(value)) throw new CalculatorError("The result is too large to represent (beyond about 1.8e308).");
  // toPrecision turns -0 into 0, which is what a person expects to read.
  return Number(value.toPrecision(15));
}
