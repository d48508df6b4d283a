/** Topics the student still has to write: no content, or only images. */
import type { Topic } from '../types.js';
import type { EmptyTopic } from './types.js';

export function toFill(topic: Topic): EmptyTopic | null {
  if (topic.children.length > 0) return null;
  if (topic.blocks.length === 0) return { topic, reason: 'no content' };
  const onlyImages = topic.blocks.every(
    (b) => b.type === 'paragraph' && b.children.every((c) => c.type === 'image' || (c.type === 'text' && !c.value.trim())),
  );
  return onlyImages ? { topic, reason: 'only images' } : null;
}
