/**
 * Mermaid's own parser, in Node: mermaid needs a DOM (DOMPurify) even to parse, so a jsdom window
 * stands in for the browser. Loaded once, on first use.
 */
import { JSDOM } from "jsdom";

type Mermaid = typeof import("mermaid").default;
let loaded: Promise<Mermaid> | undefined;

export function mermaid(): Promise<Mermaid> {
  loaded ??= (async () => {
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    const g = globalThis as unknown as Record<string, unknown>;
    g.window = dom.window;
    g.document = dom.window.document;
    const m = (await import("mermaid")).default;
    m.initialize({ startOnLoad: false, securityLevel: "strict" });
    return m;
  })();
  return loaded;
}

/** The ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
}
