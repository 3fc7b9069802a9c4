import { parse } from 'parse5';

/** The value of a form control in rendered HTML, decoded, or undefined when the control is absent. */
export function fieldValue(html: string, name: string): string | undefined {
  const textarea = new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (textarea) return decode(textarea[1]!);
  const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html);
  if (!input) return undefined;
  const value = /value="([^"]*)"/.exec(input[0]);
  return value ? decode(value[1]!) : '';
}

/** The message shown next to a field, or undefined. */
export function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`<span class="field-error" id="${field}-error">([^<]*)</span>`).exec(html);
  return match ? decode(match[1]!) : undefined;
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A urlencoded body from pairs (repeated keys allowed), as a browser would send it. */
export function formBody(pairs: Record<string, string> | [string, string][]): string {
  return new URLSearchParams(Array.isArray(pairs) ? pairs : Object.entries(pairs)).toString();
}

interface ParsedNode {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: ParsedNode[];
  content?: ParsedNode;
}

/** Every element of a page as the browser would parse it: tag name and attributes. */
export function elementsOf(html: string): { tag: string; attrs: Record<string, string> }[] {
  const elements: { tag: string; attrs: Record<string, string> }[] = [];
  const visit = (node: ParsedNode): void => {
    if (node.attrs)
      elements.push({ tag: node.nodeName, attrs: Object.fromEntries(node.attrs.map((a) => [a.name, a.value])) });
    for (const child of node.childNodes ?? []) visit(child);
    if (node.content) visit(node.content);
  };
  visit(parse(html));
  return elements;
}

/** The signed form timestamp of a page's comment form (the time trap needs a genuine one). */
export function formStampOf(html: string): string {
  const stamp = fieldValue(html, 'form_ts');
  if (!stamp) throw new Error('no form timestamp on the page');
  return stamp;
}

/** The id of the comment a redirect's Location points at (`…#comment-ID`). */
export function commentIdIn(location: string | undefined): number {
  const id = Number(/#comment-(\d+)$/.exec(location ?? '')?.[1]);
  if (!id) throw new Error(`no comment anchor in ${location}`);
  return id;
}
