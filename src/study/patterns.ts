/** What several extractors test a text for. */

/** A text that asks: it ends with `?`. */
export const QUESTION = /\?\s*$/;

/** A section that poses a problem to solve ("Scenario", "Exam question"), answered by the blocks after it. */
export const SCENARIO_TITLE = /^(scenario|case study|exercise|practice question|exam question)s?\b/i;
