// paperfloor/testing: tools for testing your own strategies against paperfloor's invariants.
export { checkPortfolioInvariants, type InvariantViolation } from "./portfolio-invariants.ts"
