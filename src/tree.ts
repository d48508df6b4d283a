/** Stage 3: parsed notes → the topic tree (pure: no I/O). */
import GithubSlugger, { slug } from 'github-slugger';
import type { Heading, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { boundSlug, isPortableName, sameFileKey } from './names.js';
import { hasTag, inlineTags, uniqueTags } from './syntax/tags.js';
import type { Guide, Note, Topic } from './types.js';

/** File names the outputs use next to the topic decks; no topic may take them. */
export const RESERVED_SLUGS = ['all', 'index', 'quiz', 'assets', 'reveal'];

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Notes with a front-matter `order` first (by it), then the rest by path. */
export function sortNotes(notes: Note[]): Note[] {
  return [...notes].sort((a, b) => {
    const oa = a.frontMatter.order ?? Number.POSITIVE_INFINITY;
    const ob = b.frontMatter.order ?? Number.POSITIVE_INFINITY;
    if (oa !== ob) return oa < ob ? -1 : 1;
    return naturalOrder.compare(a.path, b.path);
  });
}

export function buildGuide(notes: Note[], title: string): Guide {
  const slugger = new GithubSlugger();
  for (const reserved of RESERVED_SLUGS) slugger.slug(reserved);
  const ordered = sortNotes(notes);
  const topics = ordered.flatMap((note) => topicsOfNote(note));
  assignSlugs(topics, slugger);
  return { title, notes: ordered, topics };
}

/**
 * A note's top-level topics. Headings nest under the nearest shallower heading
 * before them, whatever the jump in depth (a `###` right under a `#` is its
 * child). Content before the first heading, or a note with no heading, becomes
 * a topic named after the note. A first heading that repeats that topic's title
 * (front matter `title: Johnson's Algorithm` and `# Johnson's Algorithm`; or the
 * file's name, with content before it) is that topic's heading: the title is
 * printed once.
 */
export function topicsOfNote(note: Note): Topic[] {
  const roots: Topic[] = [];
  const open: Topic[] = []; // the chain of topics the next block belongs to
  const noteTopic = (depth: number, line: number): Topic => makeTopic(note, note.fallbackTitle, depth, null, line, 1);

  if (note.frontMatter.title !== undefined && note.mdast.children.length > 0) {
    const first = note.mdast.children[0]?.position?.start;
    const topic = noteTopic(0, first?.line ?? 1);
    roots.push(topic);
    open.push(topic);
  }

  let firstHeading = true;
  for (const node of note.mdast.children) {
    if (node.type === 'heading') {
      const title = toString(node).trim();
      const noteTopic = firstHeading && open[0]?.heading === null ? open[0] : undefined;
      firstHeading = false;
      if (noteTopic && sameTitle(noteTopic.title, title)) {
        noteTopic.heading = node;
        noteTopic.title = title;
        continue;
      }
      while (open.length > 0 && open[open.length - 1]!.depth >= node.depth) open.pop();
      const start = node.position?.start;
      const topic = makeTopic(note, title, node.depth, node, start?.line ?? 1, start?.column ?? 1);
      const parent = open[open.length - 1];
      if (parent) parent.children.push(topic);
      else roots.push(topic);
      open.push(topic);
      continue;
    }
    if (open.length === 0) {
      const topic = noteTopic(1, node.position?.start.line ?? 1);
      roots.push(topic);
      open.push(topic);
    }
    const owner = open[open.length - 1]!;
    if (node.data?.speakerNote) owner.notes.push(node);
    else owner.blocks.push(node);
  }
  setPaths(roots, []);
  for (const topic of walkTopics(roots)) topic.tags = uniqueTags([...(note.frontMatter.tags ?? []), ...inlineTags(topic.blocks)]);
  if (roots[0]) roots[0].firstOfNote = true;
  return roots;
}

/** The same title, however it is written (case, punctuation, spaces: `johnsons-algorithm.md` and `Johnson's Algorithm`). */
const sameTitle = (a: string, b: string) => slug(a) !== '' && slug(a) === slug(b);

function makeTopic(note: Note, title: string, depth: number, heading: Heading | null, line: number, column: number): Topic {
  return {
    slug: '',
    title,
    depth,
    source: { file: note.path, line, column },
    heading,
    blocks: [],
    notes: [],
    children: [],
    note,
    path: [],
    tags: [],
    firstOfNote: false,
  };
}

function setPaths(topics: Topic[], parent: string[]): void {
  for (const topic of topics) {
    topic.path = [...parent, topic.title];
    setPaths(topic.children, topic.path);
  }
}

/**
 * Slugs in reading order, unique across the guide ("scenario", "scenario-1", …).
 * A slug is also the name of its deck and handout, so it must be a good file
 * name: a long one is cut (src/names.ts), and one that a file system would
 * refuse (`con`) or take for another (`café` twice, in two normalizations)
 * moves on to the slugger's next (`con-1`). Short slugs are github-slugger's.
 */
function assignSlugs(topics: Topic[], slugger: GithubSlugger): void {
  const taken = new Set(RESERVED_SLUGS.map(sameFileKey));
  for (const topic of walkTopics(topics)) {
    let slug = slugger.slug(topic.title);
    // A title of only symbols or emoji slugs to nothing: give it a usable name.
    if (slug === '' || slug.startsWith('-')) slug = slugger.slug(`topic${slug}`);
    let name = boundSlug(slug);
    while (!isPortableName(name) || taken.has(sameFileKey(name))) name = boundSlug(slugger.slug(slug));
    taken.add(sameFileKey(name));
    topic.slug = name;
  }
}

/** Every topic, depth first, in reading order. */
export function* walkTopics(topics: Topic[]): Generator<Topic> {
  for (const topic of topics) {
    yield topic;
    yield* walkTopics(topic.children);
  }
}

/** All mdast nodes of a topic: its heading, its blocks, its speaker notes, then its children's. */
export function* topicNodes(topic: Topic): Generator<RootContent> {
  if (topic.heading) yield topic.heading;
  yield* topic.blocks;
  yield* topic.notes;
  for (const child of topic.children) yield* topicNodes(child);
}

/** Number of topics in the subtree, the topic included. */
export function countTopics(topic: Topic): number {
  return 1 + topic.children.reduce((sum, child) => sum + countTopics(child), 0);
}

/** `vpc*`, `*peering`, `Misc`: a glob over slugs and titles, case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .trim()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Topics matching any pattern (slug or title glob), each with its subtree, in
 * reading order. A matching subtopic is taken on its own; nothing is taken twice.
 * With `tags`, a topic must also have one of them (`aws` takes `aws/s3` too),
 * itself or through an ancestor: both selections hold for every topic taken.
 */
export function selectTopics(topics: Topic[], patterns: string[], tags: string[] = []): Topic[] {
  if (patterns.length === 0 && tags.length === 0) return topics;
  const tests = patterns.map(globToRegExp);
  const byName = (t: Topic) => tests.length === 0 || tests.some((re) => re.test(t.slug) || re.test(t.title));
  const byTag = (t: Topic) => tags.length === 0 || tags.some((tag) => hasTag(t.tags, tag));
  const picked: Topic[] = [];
  // `named`/`tagged`: an ancestor already matched (its subtree is in that selection).
  const visit = (list: Topic[], named: boolean, tagged: boolean) => {
    for (const topic of list) {
      const n = named || byName(topic);
      const t = tagged || byTag(topic);
      if (n && t) picked.push(topic);
      else visit(topic.children, n, t);
    }
  };
  visit(topics, false, false);
  return picked;
}
