/** The part of reveal.js's API (the decks' global `Reveal`, reveal.js 5) that the served scripts use. */

export interface RevealIndices {
  h: number;
  v?: number;
  /** The last fragment shown (-1: none); undefined on a slide without fragments. */
  f?: number;
}

export interface RevealKeyBinding {
  keyCode: number;
  key: string;
  description: string;
}

/** The options the served scripts change (`Reveal.configure`). */
export interface RevealOptions {
  totalTime?: number;
  disableLayout?: boolean;
  touch?: boolean;
  controls?: boolean;
  progress?: boolean;
  slideNumber?: boolean | string;
  transition?: string;
  scrollActivationWidth?: number | null;
}

export interface RevealApi {
  isReady(): boolean;
  on(event: string, listener: (event: Event) => void): void;
  getIndices(slide?: Element): RevealIndices;
  slide(h: number, v?: number, f?: number): void;
  next(): void;
  prev(): void;
  configure(options: RevealOptions): void;
  getConfig(): RevealOptions;
  addKeyBinding(binding: RevealKeyBinding, callback: () => void): void;
  getCurrentSlide(): HTMLElement | undefined;
  getTotalSlides(): number;
  getSlidePastCount(): number;
  layout(): void;
}

declare global {
  interface Window {
    Reveal?: RevealApi;
  }
}
