/**
 * Fitted slides on frames of their own (templates/slide-frames.hbs), laid out as reveal.js shows
 * them with every fragment shown, in one page: the page reads their structure
 * (src/page/slide-extract.ts) and Node screenshots what it asks for: the pictures of a slide
 * (formulas, diagrams, images, fallbacks) for the PowerPoint, or whole slides for slide images.
 */
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { browserTimeout, pageScript, withLocalPage } from '../browser.js';
import type { ExtractedSlide, Rect, SlideFramesConfig, SlideFramesResult } from '../page/protocol.js';
import { scriptHashSource } from '../safety.js';
import { loadTemplate, type TemplateSource } from '../templates.js';
import type { SlidesOptions } from './slides.js';

export interface FramesJob {
  /** Distinct slides (the `<section>` markup the decks hold). */
  slides: string[];
  options: SlidesOptions;
  /** The output folder: the page is written to its `slides/`, where the decks' styles are. */
  outDir: string;
  templates: TemplateSource;
  onBlocked: (url: string) => void;
}

export interface FramedSlides extends SlideFramesResult {
  /** PNG of each picture a slide asks for, by its id (`SlidePart` kind `picture`). */
  pictures: Map<number, Uint8Array>;
}

/** Pictures are taken at twice the slide's pixels: sharp on a projector and when zoomed. */
export const PICTURE_SCALE = 2;

/**
 * The frames page, its program run (reading structure or not), then `fn`. `inset` lays each slide
 * out as reveal.js shows it on a screen of the slide's shape: scaled into the room its margin leaves.
 */
async function framesPage<T>(
  browser: Browser,
  job: FramesJob,
  mode: { structure: boolean; inset: number | null; scale: number },
  fn: (page: Page, result: SlideFramesResult) => Promise<T>,
) {
  const [render, script] = await Promise.all([loadTemplate(job.templates, 'slide-frames.hbs'), pageScript('slide-extract')]);
  const { options } = job;
  const html = render({
    lang: 'en',
    title: 'slides',
    theme: options.theme,
    userCss: options.userCss,
    styles: options.styles,
    width: options.width,
    height: options.height,
    slides: job.slides,
    script,
    // Only the extractor runs, whatever the slides hold (even with --allow-html).
    scriptHash: scriptHashSource(script),
    inset: mode.inset,
    config: { width: options.width, height: options.height, structure: mode.structure } satisfies SlideFramesConfig,
  });
  return withLocalPage(
    browser,
    {
      dir: path.join(job.outDir, 'slides'),
      // Two pages at once (the PowerPoint's and the images') are two files.
      name: mode.structure ? 'frames-pptx' : 'frames-images',
      html,
      program: 'slide-extract',
      onBlocked: job.onBlocked,
      timeout: browserTimeout(job.slides.length, 100),
      // Screenshots are taken at the device's scale (a clip's own scale is lost within the viewport).
      viewport: { width: options.width, height: options.height, deviceScaleFactor: mode.scale },
    },
    fn,
  );
}

/** A rectangle on the page, to whole pixels, that holds `box` of the slide framed at `frame`. */
function clipOf(frame: Rect, box: Rect) {
  const x = Math.max(frame.x, Math.floor(frame.x + box.x));
  const y = Math.max(frame.y, Math.floor(frame.y + box.y));
  const right = Math.min(frame.x + frame.w, Math.ceil(frame.x + box.x + box.w));
  const bottom = Math.min(frame.y + frame.h, Math.ceil(frame.y + box.y + box.h));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

/**
 * A screenshot of `box` in the slide framed at `frame`, the frame scrolled into the viewport first:
 * a capture beyond the viewport lays the whole page out again at its full height, every time.
 */
async function shot(page: Page, frame: Rect, box: Rect): Promise<Uint8Array> {
  await page.evaluate((y) => window.scrollTo(0, y), frame.y);
  return page.screenshot({ type: 'png', clip: clipOf(frame, box), captureBeyondViewport: false, optimizeForSpeed: true });
}

/** Every slide's structure, and a picture of each part that stays a picture. */
export async function extractSlides(browser: Browser, job: FramesJob): Promise<FramedSlides> {
  return framesPage(browser, job, { structure: true, inset: null, scale: PICTURE_SCALE }, async (page, result) => {
    // Headless Chromium draws frames for the tab in front only: a screenshot of another waits for ever.
    await page.bringToFront();
    const pictures = new Map<number, Uint8Array>();
    for (const slide of result.slides) {
      for (const part of slide.parts) {
        if (part.kind !== 'picture') continue;
        pictures.set(part.id, await shot(page, slide.frame, part.box));
      }
    }
    return { ...result, pictures };
  });
}

/** A PNG of each slide as the deck shows it, every fragment shown, at `scale` times the slide's size. */
export async function slideImages(browser: Browser, job: FramesJob, scale: number, margin: number): Promise<Uint8Array[]> {
  return framesPage(browser, job, { structure: false, inset: 1 / (1 + margin), scale }, async (page, result) => {
    await page.bringToFront();
    const images: Uint8Array[] = [];
    const whole = (slide: ExtractedSlide): Rect => ({ x: 0, y: 0, w: slide.frame.w, h: slide.frame.h });
    for (const slide of result.slides) images.push(await shot(page, slide.frame, whole(slide)));
    return images;
  });
}
