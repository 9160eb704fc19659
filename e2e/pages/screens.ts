/**
 * What the screen-by-screen specs share (polish.spec.ts, parts.spec.ts): the two widths every
 * screen is checked at, and one axe check (WCAG 2.2 AA and the heading outline) whose failure
 * names the rule, the elements and axe's advice.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 800 };

export async function expectAccessible(page: Page, screen: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const outline = await new AxeBuilder({ page }).withRules(["heading-order", "page-has-heading-one"]).analyze();
  const report = [...violations, ...outline.violations].map((v) => ({
    rule: v.id,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), why: n.failureSummary })),
  }));
  expect(report, `${screen}: ${JSON.stringify(report, null, 2)}`).toEqual([]);
}
