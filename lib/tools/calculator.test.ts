import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CalculatorError, evaluate, MAX_EXPRESSION_CHARS } from "./calculator";

describe("evaluate", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 / 4", 2.5],
    ["10 % 4", 2],
    ["-7 % 3", -1],
    ["2 ^ 10", 1024],
    ["2 ^ 3 ^ 2", 512],
    ["-2 ^ 2", -4],
    ["(-2) ^ 2", 4],
    ["2 ^ -1", 0.5],
    ["--3", 3],
    ["+3 - -3", 6],
    ["1.5e3 + .5", 1500.5],
    ["2E-3", 0.002],
    ["0.1 + 0.2", 0.3],
    ["pi", 3.14159265358979],
    ["E", 2.71828182845905],
    ["sqrt(16) + abs(-3)", 7],
    ["round(2.5) + round(-2.5)", 0],
    ["round(3.14159, 2)", 3.14],
    ["floor(-1.5) + ceil(1.2)", 0],
    ["sin(0) + cos(0) + tan(0)", 1],
    ["sin(pi / 2)", 1],
    ["log(1000)", 3],
    ["ln(e ^ 2)", 2],
    ["exp(0)", 1],
    ["min(3, 1, 2) + max(3, 1, 2)", 4],
    ["max(-1)", -1],
    ["  2*(3+(4-1))/3  ", 4],
    ["0 * -1", 0],
  ])("%s = %d", (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });

  it.each([
    ["1 / 0", /Division by zero/],
    ["5 % 0", /remainder of a division by zero/],
    ["foo + 1", /Unknown name "foo"/],
    ["sqrt", /sqrt is a function/],
    ["sqrt(-1)", /square root of a negative/],
    ["log(0)", /log is only defined for numbers above 0/],
    ["ln(-1)", /ln is only defined/],
    ["(-8) ^ (1/3)", /not a real number/],
    ["sqrt(1, 2)", /sqrt takes 1 argument, not 2/],
    ["round(1, 2, 3)", /round takes 1 or 2 arguments, not 3/],
    ["round(1, 0.5)", /number of decimals/],
    ["min()", /a number, a name or "\(" was expected/],
    ["1 +", /Unexpected the end of the expression/],
    ["(1 + 2", /A closing "\)" was expected/],
    ["1 2", /Unexpected "2" at position 3/],
    ["2pi", /Unexpected "pi"/],
    ["1 ; 2", /The character ";" at position 3/],
    ["alert('x')", /character "'"/],
    ["10 ^ 400", /too large/],
    ["", /empty/],
    ["   ", /empty/],
    ["constructor", /Unknown name "constructor"/],
    ["__proto__(1)", /Unknown name "__proto__"/],
  ])("%s is refused with a sentence", (expression, message) => {
    expect(() => evaluate(expression)).toThrow(CalculatorError);
    expect(() => evaluate(expression)).toThrow(message);
  });

  it(`takes at most ${MAX_EXPRESSION_CHARS} characters`, () => {
    const longest = "1+".repeat(MAX_EXPRESSION_CHARS / 2 - 1) + "10";
    expect(longest.length).toBe(MAX_EXPRESSION_CHARS);
    expect(evaluate(longest)).toBe(259);
    expect(() => evaluate(`${longest} `)).toThrow(/at most 500/);
    // Deep nesting within the limit is fine (no stack trouble).
    expect(evaluate(`${"(".repeat(240)}1${")".repeat(240)}`)).toBe(1);
  });
});

describe("evaluate, properties", () => {
  // Integers small enough that every result below is exact in a double.
  const small = fc.integer({ min: -1_000_000, max: 1_000_000 });
  const lit = (n: number) => (n < 0 ? `(${n})` : `${n}`);

  it("agrees with JavaScript on + - * of integers, with the usual precedence", () => {
    fc.assert(
      fc.property(small, small, small, (a, b, c) => {
        expect(evaluate(`${lit(a)} + ${lit(b)} * ${lit(c)}`)).toBe(a + b * c);
        expect(evaluate(`${lit(a)} - ${lit(b)} - ${lit(c)}`)).toBe(a - b - c);
        expect(evaluate(`(${lit(a)} - ${lit(b)}) * ${lit(c)}`)).toBe((a - b) * c || 0);
      }),
    );
  });

  it("a number's own text evaluates to it (decimals and exponents, 15 digits)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (x) => {
        expect(evaluate(`${lit(x)}`)).toBe(Number(x.toPrecision(15)));
      }),
    );
  });

  it("division by a non-zero number undoes multiplication (to 15 digits)", () => {
    const nonZero = small.filter((n) => n !== 0);
    fc.assert(
      fc.property(small, nonZero, (a, b) => {
        expect(evaluate(`${lit(a)} * ${lit(b)} / ${lit(b)}`)).toBe(a || 0);
      }),
    );
  });

  it("never throws anything but a CalculatorError, and never returns a non-finite number", () => {
    const piece = fc.constantFrom("1", "2.5", "1e3", "0", "pi", "e", "x", "+", "-", "*", "/", "%", "^", "(", ")", ",", "sqrt(", "min(", "round(", " ", ".", "$");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        try {
          expect(Number.isFinite(evaluate(pieces.join("")))).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(CalculatorError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
