/**
 * `$` and `$$` paired as Obsidian pairs them (remark-math's constructs, with Obsidian's rules):
 * - a `$` followed by a space does not open math, a `$` preceded by a space does not close it,
 *   and a closing `$` is not followed by a digit (Pandoc's rule: `$5 and $10` is money);
 * - inside `$…$`, a `$` that cannot close ends the attempt (unescaped, it is never TeX): the
 *   opening `$` is text (`costs $5 and $x$` is money, then a formula); `\$` is an escaped dollar;
 * - a `$$` block fence is `$$` alone on its line: `$$T(n) = …` on a line opens no block running to
 *   the end of the note, it is math in the paragraph's text, closed by the next `$$`.
 */
import { mathFromMarkdown } from 'mdast-util-math';
import { math } from 'micromark-extension-math';
import type { Code, Construct, Effects, State, TokenizeContext } from 'micromark-util-types';
import type { Processor } from 'unified';

const DOLLAR = 36;
const BACKSLASH = 92;

/** Line endings, tabs and spaces (micromark's codes: -5 to -3 line endings, -2 a tab, -1 the spaces a tab stands for). */
const isSpace = (code: Code): boolean => code !== null && (code < 0 || code === 32);
const isDigit = (code: Code): boolean => code !== null && code >= 48 && code <= 57;
const isLineEnding = (code: Code): boolean => code !== null && code < -2;

/** `$…$` and `$$…$$` in text, with the tokens remark-math's own construct makes (its resolver and `previous` are reused). */
function obsidianMathText(original: Construct): Construct {
  function tokenize(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    let sizeOpen = 0;
    let size = 0;
    /** The code before the current one inside the formula: a closing `$` must not follow a space. */
    let before: Code = null;
    let sequence: { type: string } | undefined;

    const start: State = (code) => {
      effects.enter('mathText');
      effects.enter('mathTextSequence');
      return sequenceOpen(code);
    };
    const sequenceOpen: State = (code) => {
      if (code === DOLLAR) {
        effects.consume(code);
        sizeOpen++;
        return sequenceOpen;
      }
      if (sizeOpen > 2 || (sizeOpen === 1 && (code === null || isSpace(code)))) return nok(code);
      effects.exit('mathTextSequence');
      return between(code);
    };
    const between: State = (code) => {
      if (code === null) return nok(code);
      if (code === DOLLAR) {
        sequence = effects.enter('mathTextSequence');
        size = 0;
        return sequenceClose(code);
      }
      if (code === 32) {
        effects.enter('space');
        effects.consume(code);
        effects.exit('space');
        before = code;
        return between;
      }
      if (isLineEnding(code)) {
        effects.enter('lineEnding');
        effects.consume(code);
        effects.exit('lineEnding');
        before = code;
        return between;
      }
      effects.enter('mathTextData');
      return data(code);
    };
    const data: State = (code) => {
      if (code === null || code === 32 || code === DOLLAR || isLineEnding(code)) {
        effects.exit('mathTextData');
        return between(code);
      }
      effects.consume(code);
      before = code;
      // `\$` (and `\\`): the backslash takes the next character with it.
      return code === BACKSLASH ? escaped : data;
    };
    const escaped: State = (code) => {
      if (code === null || isLineEnding(code)) return data(code);
      effects.consume(code);
      before = code;
      return data;
    };
    const sequenceClose: State = (code) => {
      if (code === DOLLAR) {
        effects.consume(code);
        size++;
        return sequenceClose;
      }
      if (size === sizeOpen && (sizeOpen === 2 || (!isSpace(before) && !isDigit(code)))) {
        effects.exit('mathTextSequence');
        effects.exit('mathText');
        return ok(code);
      }
      // In `$…$`, a `$` that cannot close: no formula here. In `$$…$$`, other runs are the formula's.
      if (sizeOpen === 1) return nok(code);
      sequence!.type = 'mathTextData';
      before = DOLLAR;
      return data(code);
    };
    return start;
  }
  return { ...original, tokenize };
}

/** remark-math's `$$` block, only when its opening fence is alone on its line. */
function bareFenceMathFlow(original: Construct): Construct {
  const bareFence: Construct = {
    partial: true,
    tokenize(effects, ok, nok) {
      let size = 0;
      // A check: what it enters and consumes is undone after (micromark wants a token around what is consumed).
      const start: State = (code) => {
        effects.enter('mathFlowFence');
        return sequence(code);
      };
      const sequence: State = (code) => {
        if (code === DOLLAR) {
          effects.consume(code);
          size++;
          return sequence;
        }
        return size < 2 ? nok(code) : rest(code);
      };
      const rest: State = (code) => {
        if (code === null || isLineEnding(code)) {
          effects.exit('mathFlowFence');
          return ok(code);
        }
        if (code !== -2 && code !== -1 && code !== 32) return nok(code);
        effects.consume(code);
        return rest;
      };
      return start;
    },
  };
  return {
    ...original,
    tokenize(effects, ok, nok) {
      return effects.check(bareFence, original.tokenize.call(this, effects, ok, nok), nok);
    },
  };
}

/** remark-math with Obsidian's pairing (in place of `remark-math`). */
export function remarkObsidianMath(this: Processor) {
  const data = this.data();
  const { flow, text } = math() as { flow: Record<number, Construct>; text: Record<number, Construct> };
  (data.micromarkExtensions ??= []).push({
    flow: { [DOLLAR]: bareFenceMathFlow(flow[DOLLAR]!) },
    text: { [DOLLAR]: obsidianMathText(text[DOLLAR]!) },
  });
  (data.fromMarkdownExtensions ??= []).push(mathFromMarkdown());
}
