/** A stylesheet imported by a page program: its text (scripts/bundle-page.mjs loads .css as text). */
declare module '*.css' {
  const text: string;
  export default text;
}
