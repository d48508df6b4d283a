/** Study features on the bundled notes: cards (exact ones), open questions, glossary, the TSV read back, the quiz in Chromium, printable cards. */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Paragraph, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build } from '../src/builder.js';
import { loadNotes } from '../src/load.js';
import { createParser, parseNote } from '../src/parse.js';
import { shuffle } from '../src/render/shuffle.js';
import { extractStudySet, type StudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import { NOTES, launchTestBrowser, noteFrom, openDeck, overflowingSlides, readPdf, tempDir } from './helpers.js';

let set: StudySet;
let out: string;
let result: BuildResult;
let browser: Browser;

const front = (c: StudySet['cards'][number]) => toString({ type: 'paragraph', children: c.front });
const back = (c: StudySet['cards'][number]) => c.back.map((b) => toString(b)).join('\n');

beforeAll(async () => {
  const parser = createParser();
  set = extractStudySet(
    buildGuide(
      (await loadNotes(NOTES)).map((n) => parseNote(parser, { ...n, text: n.text! })),
      'AWS',
    ),
  );
  out = await tempDir();
  result = await build({ notes: NOTES, out, offline: true, glossary: true });
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('cards from the bundled notes', () => {
  it('finds the scenario, the definitions and nothing that does not answer its front', () => {
    expect(set.cards.map((c) => [c.kind, front(c).slice(0, 40)])).toEqual([
      ['definition', 'cfn-init'],
      ['scenario', "You are managing your company's data and"],
      ['definition', 'In-place deployment'],
      ['definition', 'binpack'],
      ['definition', 'put-bucket-policy'],
      ['definition', 'BeforeInstall'],
      ['definition', 'Install'],
      ['definition', 'AWS Secrets Manager'],
      ['definition', 'Envelope encryption'],
    ]);
    for (const card of set.cards) {
      expect(back(card).trim().length).toBeGreaterThan(10);
      expect(back(card).trim()).not.toBe(front(card).trim());
    }
  });

  it('pairs the S3 overnight-upload scenario with its Direct Connect answer', () => {
    const card = set.cards.find((c) => c.kind === 'scenario')!;
    expect(front(card)).toContain('You are uploading large amounts of data overnight, 3 to 5 TB to an S3 bucket.');
    expect(front(card)).toMatch(/What steps can you take to decrease the amount of time to perform these uploads\?$/);
    expect(back(card)).toMatch(/^Using AWS Direct Connect, data that would have previously been transported over the Internet/);
    expect(card.source).toMatchObject({ file: 'notes/05-aws-direct-connect.md', line: 18 });
  });

  it('lists the VPC question as an open question, not a card, and Cloud HSM as a topic to fill in', () => {
    expect(set.openQuestions.map((q) => [q.question, q.source.file, q.source.line])).toEqual([
      ['Can a VPC span across regions?', 'notes/04-vpc.md', 3],
    ]);
    expect(set.cards.some((c) => front(c).includes('VPC span'))).toBe(false);
    expect(set.toFill.map((t) => [t.topic.title, t.reason])).toEqual([['Cloud HSM', 'only images']]);
  });

  it('defines Secrets Manager in the glossary', () => {
    const entry = set.glossary.find((g) => g.term === 'AWS Secrets Manager')!;
    expect(toString(entry.definition[0]!)).toMatch(
      /^AWS Secrets Manager is an AWS service that makes it easier for you to manage secrets\./,
    );
    expect(entry.topic.path).toEqual(['Misc', 'Security']);
  });
});

describe('patterns', () => {
  const cards = (md: string) => extractStudySet(buildGuide([noteFrom(md)], 'T'));
  it('recognises question headings, list questions, terms and the explicit Q:/A: form', () => {
    const s = cards(
      [
        '# Networking',
        '',
        '## What does a NAT gateway do?',
        '',
        'It lets private subnets reach the internet.',
        '',
        '- Why use VPC endpoints?',
        '  - To reach S3 without the internet.',
        '- Is this open?',
        '- **IGW** – the internet gateway of a VPC',
        '- **NACL**: a stateless subnet firewall',
        '- ENI: an elastic network interface',
        '',
        'Q: What is the default VPC CIDR?',
        'A: 172.31.0.0/16',
        '',
        'Q: Max VPCs per region?',
        '',
        'A: Five by default.',
        '',
      ].join('\n'),
    );
    const pairs = s.cards.map((c) => [c.kind, front(c), back(c)]);
    expect(pairs).toEqual([
      ['question', 'What does a NAT gateway do?', 'It lets private subnets reach the internet.'],
      ['question', 'Why use VPC endpoints?', 'To reach S3 without the internet.'],
      ['definition', 'IGW', 'the internet gateway of a VPC'],
      ['definition', 'NACL', 'a stateless subnet firewall'],
      ['definition', 'ENI', 'an elastic network interface'],
      ['explicit', 'What is the default VPC CIDR?', '172.31.0.0/16'],
      ['explicit', 'Max VPCs per region?', 'Five by default.'],
    ]);
    expect(s.openQuestions.map((q) => q.question)).toEqual(['Is this open?']);
  });

  it("reads the Spaced Repetition plugin's cards: Question::Answer, ::: both ways, ? and ?? between lines; not code or prose", () => {
    const s = cards(
      [
        '# Cards',
        '',
        'Capital of France :: Paris',
        'What is 2 + 2?::Four',
        'Hello ::: Bonjour <!--SR:!2024-03-18,4,250-->',
        '',
        'What does IAM stand for',
        'in AWS?',
        '?',
        'Identity and Access Management',
        '',
        'Chlorophyll',
        '??',
        'The green pigment of plants',
        '',
        'More specifically, the AWS::Serverless transform expands the template.',
        '',
        'AWS::CloudFormation::Init holds the configuration.',
        '',
        'In C++, std::vector is a growable array.',
        '',
        'The IPv6 loopback address is ::1 and fe80::/10 is link-local.',
        '',
        'Q: What is the IPv6 loopback address?',
        'A: ::1',
        '',
      ].join('\n'),
    );
    expect(s.cards.map((c) => [front(c), back(c), c.reversed ?? false])).toEqual([
      ['Capital of France', 'Paris', false],
      ['What is 2 + 2?', 'Four', false],
      ['Hello', 'Bonjour', true],
      ['What does IAM stand for\nin AWS?', 'Identity and Access Management', false],
      ['Chlorophyll', 'The green pigment of plants', true],
      ['What is the IPv6 loopback address?', '::1', false],
    ]);
  });

  it('keeps the markup of Spaced Repetition cards: math, emphasis, code', () => {
    const [card] = cards('# Physics\n\nWhat is $E = mc^2$ called? :: *mass–energy* equivalence, see `E`\n').cards;
    expect(card!.front.map((n) => n.type)).toEqual(['text', 'inlineMath', 'text']);
    expect(front(card!)).toBe('What is E = mc^2 called?');
    const answer = card!.back[0] as Paragraph;
    expect(answer.children.map((n) => n.type)).toEqual(['emphasis', 'text', 'inlineCode']);
    expect(back(card!)).toBe('mass–energy equivalence, see E');
    const qa = cards('# Shell\n\nQ: What does `ls` do?\nA: Lists *files*\n').cards[0]!;
    expect([qa.front.map((n) => n.type), (qa.back[0] as Paragraph).children.map((n) => n.type)]).toEqual([
      ['text', 'inlineCode', 'text'],
      ['text', 'emphasis'],
    ]);
    // A node across the separator: plain text, as before.
    expect(cards('# T\n\n**Bold :: card** here\n').cards.map((c) => [front(c), back(c)])).toEqual([['Bold', 'card here']]);
  });

  it('makes cloze cards: {{cN::term}} and {{cN::term::hint}} grouped by number, ==highlights== only when asked', () => {
    const md = [
      '# Cloze',
      '',
      'The {{c1::mitochondria}} is the {{c2::powerhouse::what role?}} of the {{c1::cell}}.',
      '',
      'Plain ==highlighted== text, and ==another== one.',
      '',
      'Code keeps `{{c1::x}}` as written, and {{c1:: unclosed stays.',
      '',
    ].join('\n');
    const plain = (nodes: RootContent[]) => nodes.map((n) => toString(n)).join('\n');
    const without = cards(md).cards.map((c) => [c.kind, front(c), plain(c.back), c.cloze?.number]);
    expect(without).toEqual([
      ['cloze', 'The [...] is the powerhouse of the [...].', 'The mitochondria is the powerhouse of the cell.', 1],
      ['cloze', 'The mitochondria is the [what role?] of the cell.', 'The mitochondria is the powerhouse of the cell.', 2],
    ]);
    // Markup inside a deletion: math, emphasis; a hint after it.
    const marked = cards('# M\n\nEnergy is {{c1::$E = mc^2$}}, said {{c2::*Einstein* in 1905::who?}}.\n').cards;
    expect(marked.map((c) => [front(c), back(c)])).toEqual([
      ['Energy is [...], said Einstein in 1905.', 'Energy is E = mc^2, said Einstein in 1905.'],
      ['Energy is E = mc^2, said [who?].', 'Energy is E = mc^2, said Einstein in 1905.'],
    ]);
    expect(marked[1]!.back[0]).toMatchObject({ children: [{}, {}, {}, { type: 'mark', children: [{ type: 'emphasis' }, {}] }, {}] });
    const highlights = extractStudySet(buildGuide([noteFrom(md)], 'T'), { clozeHighlights: true }).cards.slice(2);
    expect(highlights.map((c) => [front(c), c.cloze?.number])).toEqual([
      ['Plain [...] text, and another one.', 1],
      ['Plain highlighted text, and [...] one.', 2],
    ]);
    // Each highlight's place in the note: what the self-test sheet blanks.
    expect(highlights.map((c) => c.blanks.map((b) => md.slice(b.start, b.end)))).toEqual([['==highlighted=='], ['==another==']]);
    // One Anki note per paragraph, in Anki's own markup; the deletions' places in the note.
    const [first] = cards(md).cards;
    expect(toString({ type: 'paragraph', children: first!.cloze!.text })).toBe(
      'The {{c1::mitochondria}} is the {{c2::powerhouse::what role?}} of the {{c1::cell}}.',
    );
    expect(first!.blanks.map((b) => md.slice(b.start, b.end))).toEqual(['{{c1::mitochondria}}', '{{c1::cell}}']);
  });

  it('makes multiple-choice cards: lettered options or a task list, answered by a details, an Answer: line or [x]', () => {
    const md = [
      '# Exam',
      '',
      '1. Which service stores objects?',
      '   - A. Amazon EC2',
      '   - B. Amazon S3',
      '   - C. Amazon RDS',
      '',
      '   <details markdown=1><summary>Answer</summary>',
      '',
      '   Correct answer: B',
      '',
      '   S3 is object storage.',
      '',
      '   </details>',
      '',
      '2. Which are databases? (Choose two)',
      '   A. Amazon RDS',
      '   B. AWS Lambda',
      '   C. Amazon DynamoDB',
      '',
      '   Answer: A, C',
      '',
      '3. Which letter is not an option?',
      '   - A. One',
      '   - B. Two',
      '',
      '   Answer: D',
      '',
      '## Which compute service runs containers without servers?',
      '',
      '- [ ] Amazon EC2',
      '- [x] AWS Fargate',
      '- [ ] Amazon S3',
      '',
      '## Shopping',
      '',
      '- [x] milk',
      '- [ ] eggs',
      '',
    ].join('\n');
    const plain = (nodes: RootContent[]) => nodes.map((n) => toString(n)).join(' | ');
    const s = cards(md);
    expect(
      s.cards.map((c) => [c.kind, front(c), c.choices?.map((o) => toString({ type: 'paragraph', children: o.content })), plain(c.back)]),
    ).toEqual([
      [
        'multiple-choice',
        'Which service stores objects?',
        ['A. Amazon EC2', 'B. Amazon S3', 'C. Amazon RDS'],
        'B. Amazon S3 | S3 is object storage.',
      ],
      [
        'multiple-choice',
        'Which are databases? (Choose two)',
        ['A. Amazon RDS', 'B. AWS Lambda', 'C. Amazon DynamoDB'],
        'A. Amazon RDSC. Amazon DynamoDB',
      ],
      [
        'multiple-choice',
        'Which compute service runs containers without servers?',
        ['Amazon EC2', 'AWS Fargate', 'Amazon S3'],
        'AWS Fargate',
      ],
    ]);
    // Answer D names no option: not a card, and not a question with an answer either.
    expect(s.openQuestions.map((q) => q.question)).toEqual(['Which letter is not an option?']);
  });

  it('knows where each answer is written in the note (what the self-test sheet blanks)', () => {
    const md = [
      '# Cards',
      '',
      'Capital of France :: Paris',
      'Hello ::: *Bonjour* toi',
      '',
      'Why is the sky blue',
      '?',
      'Rayleigh scattering',
      '',
      'Q: Max VPCs per region?',
      'A: Five by default.',
      '',
      '## What does a NAT gateway do?',
      '',
      'It lets private subnets reach the internet.',
      '',
      '## Terms',
      '',
      '- **IGW** – the internet gateway of a VPC',
      '- ENI: an elastic network interface',
      '',
    ].join('\n');
    const written = cards(md).cards.map((c) => [front(c), c.blanks.map((b) => md.slice(b.start, b.end)).join('|')]);
    expect(written).toEqual([
      ['Capital of France', 'Paris'],
      ['Hello', '*Bonjour*| toi'],
      ['Why is the sky blue', 'Rayleigh scattering'],
      ['Max VPCs per region?', 'Five by default.'],
      ['What does a NAT gateway do?', 'It lets private subnets reach the internet.'],
      ['IGW', '**IGW**'],
      ['ENI', 'ENI'],
    ]);
  });

  it('shuffles the quiz the same way for the same seed', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffle(items, 42)).toEqual(shuffle(items, 42));
    expect(shuffle(items, 42)).not.toEqual(items);
    expect([...shuffle(items, 7)].sort((a, b) => a - b)).toEqual(items);
  });
});

describe('outputs', () => {
  it('writes flashcards.tsv that Anki imports: front, back, tags, id, note type, deck; tabs and newlines escaped', async () => {
    const lines = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8')).split('\n').filter(Boolean);
    expect(lines.slice(0, 6)).toEqual([
      '#separator:tab',
      '#html:true',
      '#tags column:3',
      '#guid column:4',
      '#notetype column:5',
      '#deck column:6',
    ]);
    const rows = lines.slice(6).map((l) => l.split('\t'));
    expect(rows).toHaveLength(set.cards.length);
    expect(new Set(rows.map((r) => r[3])).size).toBe(rows.length);
    for (const row of rows) {
      expect(row).toHaveLength(6);
      expect(row[3]).toMatch(/^[\w-]{12}$/);
      expect(row[4]).toBe('Basic');
      expect(row[5]).toMatch(/^Study Guide::\S/);
      expect(row[0]!.length).toBeGreaterThan(0);
      expect(row[1]).not.toMatch(/[\t\r\n]/);
      expect(row[2]).toMatch(/^studyguide [a-z0-9:-]+ (definition|scenario|question|explicit)$/);
    }
    const secrets = rows.find((r) => r[0] === 'AWS Secrets Manager')!;
    expect(secrets[1]).toContain('is an AWS service that makes it easier for you to manage secrets');
    expect(secrets[2]).toBe('studyguide misc::security definition');
    expect(result.study).toEqual({ cards: 9, openQuestions: 1, toFill: 1, glossary: 8 });
  });

  it('a card keeps its Anki id when its front is edited (so importing again updates it), and so do the others', async () => {
    const notes = await tempDir();
    await cp(NOTES, notes, { recursive: true });
    const tsv = async () => {
      const dir = await tempDir();
      await build({ notes, out: dir, only: ['pdf'], offline: true, browser });
      const rows = (await readFile(path.join(dir, 'flashcards.tsv'), 'utf8'))
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('\t'));
      return { rows, secrets: rows.find((r) => r[1]!.includes('makes it easier for you to manage secrets'))! };
    };
    const before = await tsv();
    const file = path.join(notes, '06-misc.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('**AWS Secrets Manager**', '**AWS Secrets Manager (ASM)**'));
    const after = await tsv();
    expect(after.secrets[0]).not.toBe(before.secrets[0]);
    expect(after.secrets[3]).toBe(before.secrets[3]);
    expect(after.rows.map((r) => r[3])).toEqual(before.rows.map((r) => r[3]));
  });

  it('the quiz deck hides each answer until the presenter advances, and nothing overflows', async () => {
    const { page, errors } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', 'quiz.html')).href);
    const state = await page.evaluate(async () => {
      const R = (window as any).Reveal;
      R.configure({ transition: 'none' });
      R.slide(2, 0, -1);
      const answer = () => getComputedStyle(R.getCurrentSlide().querySelector('.sg-answer')).opacity;
      const before = answer();
      R.next();
      // The answer fades in (a CSS transition): wait for its end, not for a fixed time.
      for (let i = 0; i < 50 && answer() !== '1'; i++) await new Promise((r) => setTimeout(r, 100));
      return { total: R.getTotalSlides(), before, after: answer(), title: R.getCurrentSlide().querySelector('.sg-title').textContent };
    });
    expect(state).toMatchObject({ before: '0', after: '1' });
    expect(state.total).toBeGreaterThanOrEqual(set.cards.length + 1);
    expect(errors).toEqual([]);
    expect(await overflowingSlides(page)).toEqual([]);
    await page.close();
  });

  it('prints flashcards.pdf: fronts and backs on alternate pages, the backs mirrored for duplex', async () => {
    const pdf = await readPdf(path.join(out, 'flashcards.pdf'));
    expect(pdf.pages).toBe(2 * Math.ceil(set.cards.length / 8));
    expect(pdf.pageText[0]).toContain('cfn-init');
    expect(pdf.pageText[0]).not.toContain('helper script installed');
    expect(pdf.pageText[1]).toContain('helper script installed on EC2 OS');
    // First card: front at the left, back at the right (long-edge duplex).
    const frontX = pdf.items.find((i) => i.page === 1 && i.str.includes('cfn-init'))!.x;
    const backX = pdf.items.find((i) => i.page === 2 && i.str.includes('helper script'))!.x;
    expect(frontX).toBeLessThan(297);
    expect(backX).toBeGreaterThan(297);
  });

  it('puts the glossary and the review list in index.html, and the glossary at the end of the cheat sheet', async () => {
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<h2 id="glossary">Glossary</h2>');
    expect(index).toMatch(/<dt[^>]*>AWS Secrets Manager/);
    expect(index).toContain('Can a VPC span across regions?');
    expect(index).toMatch(/Cloud HSM<\/a>: only images/);
    const text = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText;
    const last = text[text.length - 1]!;
    expect(last).toContain('Glossary');
    expect(last).toContain('Envelope encryption');
  });

  it('--shuffle --seed gives the same quiz order twice', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(
      path.join(dir, 'notes', 'q.md'),
      Array.from({ length: 12 }, (_, i) => `## Question ${i}?\n\nAnswer ${i}.\n`).join('\n'),
    );
    const order = async (out: string) => {
      await build({ notes: path.join(dir, 'notes'), out, offline: true, only: ['slides'], shuffle: true, seed: 7 });
      return [...(await readFile(path.join(out, 'slides', 'quiz.html'), 'utf8')).matchAll(/Question (\d+)\?/g)].map((m) => m[1]);
    };
    const a = await order(path.join(dir, 'a'));
    expect(a).toEqual(await order(path.join(dir, 'b')));
    expect(a).not.toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
  });
});
