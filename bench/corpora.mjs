/**
 * Generated corpora for `npm run bench`. `examPrep` mimics the exam-prep
 * repos people study from: one file per practice exam, each one ordered list
 * of questions with lettered options as a nested list and the answer in a
 * `<details>` block (the shape that made the sheet's layout super-linear).
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SERVICES = [
  'Amazon S3',
  'Amazon EC2',
  'AWS Lambda',
  'Amazon RDS',
  'Amazon DynamoDB',
  'Amazon CloudFront',
  'AWS IAM',
  'Amazon VPC',
  'AWS KMS',
  'Amazon SQS',
  'Amazon SNS',
  'AWS CloudTrail',
];
const VERBS = ['store', 'encrypt', 'cache', 'monitor', 'scale', 'replicate', 'audit', 'route', 'queue', 'archive'];

/** A deterministic pseudo-random sequence, so every run builds the same text. */
function sequence(seed) {
  let x = seed >>> 0 || 1;
  return () => (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

function question(n, next) {
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const service = pick(SERVICES);
  const verb = pick(VERBS);
  const options = ['A', 'B', 'C', 'D'].map(
    (letter) =>
      `    - ${letter}. ${pick(SERVICES)} with ${pick(VERBS)} enabled for the ${pick(['application', 'workload', 'company', 'team'])}`,
  );
  const answer = ['A', 'B', 'C', 'D'][Math.floor(next() * 4)];
  return [
    `${n}. A company needs to ${verb} data for a ${pick(['web', 'mobile', 'analytics', 'batch'])} application with the least operational overhead. Which solution using ${service} meets these requirements?`,
    '',
    ...options,
    '',
    "    <details markdown=1><summary markdown='span'>Answer</summary>",
    '',
    `      Correct answer: ${answer}`,
    '',
    `      ${service} lets you ${verb} data without managing servers; the other options need more work to operate.`,
    '',
    '    </details>',
    '',
  ].join('\n');
}

/** `files` practice exams of `questions` questions each, under `dir`; returns their total size in bytes. */
export async function examPrep(dir, files = 24, questions = 40) {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  for (let f = 1; f <= files; f++) {
    const next = sequence(f);
    const body = [`# Practice Exam ${f}`, '', ...Array.from({ length: questions }, (_, i) => question(i + 1, next))].join('\n');
    await writeFile(path.join(dir, `practice-exam-${String(f).padStart(2, '0')}.md`), body);
    bytes += Buffer.byteLength(body);
  }
  return bytes;
}

/** The bundled notes (notes/*.md), in note order: names and texts. */
export async function bundledNotes(root) {
  const names = (await readdir(path.join(root, 'notes'))).filter((f) => f.endsWith('.md')).sort();
  const texts = await Promise.all(names.map((f) => readFile(path.join(root, 'notes', f), 'utf8')));
  return { names, texts };
}

/**
 * The bundled notes `copies` times under `dir`: once, as they are (copies = 1), or in
 * subfolders copy-01 … with each heading numbered, so topics stay distinct.
 */
export async function copiesOfNotes(root, dir, copies) {
  const { names, texts } = await bundledNotes(root);
  for (let k = 1; k <= copies; k++) {
    const sub = copies === 1 ? dir : path.join(dir, `copy-${String(k).padStart(2, '0')}`);
    await mkdir(sub, { recursive: true });
    for (const [i, f] of names.entries())
      await writeFile(path.join(sub, f), copies === 1 ? texts[i] : texts[i].replace(/^# (.*)$/gm, `# $1 (${k})`));
  }
}

/** `files` flat files under `dir`, the bundled notes in turn, each title numbered. */
export async function flatNotes(root, dir, files = 500) {
  const { names, texts } = await bundledNotes(root);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < files; i++) {
    const text = texts[i % texts.length].replace(/^# (.*)$/m, `# $1 (${i + 1})`);
    await writeFile(path.join(dir, `${String(i + 1).padStart(3, '0')}-${names[i % names.length]}`), text);
  }
}

/** The bundled notes as one markdown file, in note order (what a user of a one-file converter does). */
export async function concatenatedNotes(root, file) {
  const { texts } = await bundledNotes(root);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, texts.map((t) => t.trimEnd()).join('\n\n') + '\n');
}

/** Markdown files under `dir` (recursively) and their total size in bytes. */
export async function measure(dir) {
  let files = 0;
  let bytes = 0;
  for (const f of await readdir(dir, { recursive: true })) {
    if (!f.endsWith('.md')) continue;
    const s = await stat(path.join(dir, f));
    if (!s.isFile()) continue;
    files += 1;
    bytes += s.size;
  }
  return { files, bytes };
}

/**
 * One note holding one fenced `python` block of `lines` lines (a source file pasted into a
 * note): highlighted, it is thousands of elements, which the sheet and the decks split.
 */
export async function longCode(dir, lines) {
  await mkdir(dir, { recursive: true });
  const line = (i) =>
    [
      `def handler_${i}(event, context=None):`,
      `    value = compute(event["key_${i}"], ${i} * 2)  # step ${i}`,
      `    if value > ${i} and not context:`,
      `        return {"status": 'ok', "n": ${i}}`,
      `    for x in range(${i}): print(f"{x} items")`,
      '    return None',
    ][i % 6];
  const body = `# Long code\n\nA pasted file.\n\n\`\`\`python\n${Array.from({ length: lines }, (_, i) => line(i)).join('\n')}\n\`\`\`\n`;
  await writeFile(path.join(dir, 'code.md'), body);
}
