/**
 * The Spaced Repetition plugin's rules (issue 27): in a note tagged `#flashcards` every `::`, `:::`,
 * `?` and `??` card is read as the plugin reads it, and `#flashcards/…` names the Anki deck; in
 * other notes a `::` makes a card after a prompt (a question, or three words or more). Names,
 * addresses and code never make one. Cards are compared as front, back and direction.
 */
import { toString } from 'mdast-util-to-string';
import { describe, expect, it } from 'vitest';
import { extractStudySet, type StudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import { noteFrom } from './helpers.js';

type Card = StudySet['cards'][number];
const front = (c: Card) => toString({ type: 'paragraph', children: c.front });
const back = (c: Card) => c.back.map((b) => toString(b)).join('\n');
/** The cards of one note: `[front, back, reversed]`. */
const cards = (markdown: string) =>
  extractStudySet(buildGuide([noteFrom(markdown)], 'T')).cards.map((c) => [front(c), back(c), c.reversed ?? false]);

describe('in a note not tagged #flashcards', () => {
  it('a `::` after a prompt of several words, or a question, is a card', () => {
    expect(
      cards(
        [
          '# Geography',
          '',
          'What is the capital of France::Paris',
          'Which river flows through Vienna:::Danube',
          'Capital of Spain?::Madrid',
          'Capital of Italy :: Rome',
        ].join('\n'),
      ),
    ).toEqual([
      ['What is the capital of France', 'Paris', false],
      ['Which river flows through Vienna', 'Danube', true],
      ['Capital of Spain?', 'Madrid', false],
      ['Capital of Italy', 'Rome', false],
    ]);
  });

  it('names, addresses, code and prose are not', () => {
    const prose = [
      '# C++ and networks',
      '',
      'std::vector',
      '',
      'Foo::Bar',
      '',
      'fe80::1',
      '',
      'AWS::CloudFormation::Init',
      '',
      'Capital::Paris',
      '',
      'The link-local address of the router is fe80::1',
      '',
      'The lab keeps every read in a std::vector, which grows as needed.',
      '',
      'We declare it with the AWS::Serverless transform.',
      '',
      'In C++, std::vector is a growable array.',
      '',
      'The server listens on [::1]:8080 and on 2001:db8::/32 only.',
      '',
      'Call `What is the capital of France::Paris` in the shell.',
      '',
      '```cpp',
      'What is the capital of France::Paris',
      '```',
    ].join('\n');
    expect(cards(prose)).toEqual([]);
  });
});

describe('in a note tagged #flashcards', () => {
  it('every `::` and `:::` line is a card, as the plugin reads it, and `?`/`??` lines too', () => {
    const note = [
      '---',
      'tags: [flashcards/spanish]',
      '---',
      '# Spanish',
      '',
      'hola::hello, hi',
      'adiós:::goodbye',
      'el pan :: bread',
      '',
      'la manzana',
      '?',
      'apple',
      '',
      'el queso',
      '??',
      'cheese',
    ].join('\n');
    expect(cards(note)).toEqual([
      ['hola', 'hello, hi', false],
      ['adiós', 'goodbye', true],
      ['el pan', 'bread', false],
      ['la manzana', 'apple', false],
      ['el queso', 'cheese', true],
    ]);
    // Untagged, the one-word prompts touching `::` are not cards.
    expect(cards(note.replace('tags: [flashcards/spanish]', 'tags: [spanish]'))).toEqual([
      ['el pan', 'bread', false],
      ['la manzana', 'apple', false],
      ['el queso', 'cheese', true],
    ]);
  });

  it('names in sentences, addresses and code are still not cards', () => {
    const note = [
      '# Lab tooling',
      '',
      '#flashcards',
      '',
      'The read counter keeps every read in a std::vector, which is fine for a few million reads.',
      '',
      'The cluster template uses AWS::CloudFormation::Init to install BLAST.',
      '',
      'Na⁺/K⁺ pump :: 3 Na⁺ out :: 2 K⁺ in per ATP',
      '',
      'Routers answer on fe80::1 and 2001:db8::/32.',
      '',
      'Use `Read::quality` for the score.',
      '',
      '```cpp',
      'Read::quality :: phred score',
      '```',
    ].join('\n');
    expect(cards(note)).toEqual([]);
  });

  it('`#flashcards/…` names the deck: front matter, a tag line until the next, a tag on a card’s own line', () => {
    const note = [
      '---',
      'tags: [flashcards/biology]',
      '---',
      '# Decks',
      '',
      'Cell::the unit of life',
      '',
      '#flashcards/language/words',
      'A group of cats is called a::clowder',
      '',
      '#flashcards/trivia Who wrote Hamlet::Shakespeare',
      '',
      'A group of crows is called a::murder',
      '',
      '#flashcards',
      'perro::dog',
    ].join('\n');
    const set = extractStudySet(buildGuide([noteFrom(note)], 'T'));
    expect(set.cards.map((c) => [front(c), c.deck ?? []])).toEqual([
      ['Cell', ['biology']],
      ['A group of cats is called a', ['language', 'words']],
      ['Who wrote Hamlet', ['trivia']],
      ['A group of crows is called a', ['language', 'words']],
      ['perro', []],
    ]);
  });
});
