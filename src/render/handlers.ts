/** STUB */
import type { Handlers } from 'mdast-util-to-hast';
export const markdownHandlers: Handlers = {};
