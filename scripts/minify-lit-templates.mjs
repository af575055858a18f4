// Shrinks the static text of Lit's css`` and html`` templates at build time. Only whitespace and
// CSS comments go; expressions, attribute values and the contents of <pre> are left alone.
import { parseAst } from 'vite';

/** Marks where an expression sat while a template's parts are minified as one string. */
const HOLE = '\u0000';

/**
 * CSS: drops comments, collapses whitespace, and removes the whitespace that is never
 * significant (around braces, semicolons and commas, after colons, before a closing brace's `;`).
 * Whitespace before a colon stays: in a selector it is a descendant combinator.
 */
export function minifyCss(text) {
  const strings = [];
  const STRING = '\u0001';
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/'[^']*'|"[^"]*"/g, (string) => (strings.push(string), STRING))
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1')
    .replace(/: /g, ':')
    .replace(/;}/g, '}')
    .trim()
    .replace(new RegExp(STRING, 'g'), () => strings.shift());
}

/**
 * HTML: each run of whitespace that spans lines becomes one space, which renders the same; inside
 * <pre> and <textarea> every character counts, so those are copied as they are.
 */
export function minifyHtml(text) {
  return text
    .split(/(<(pre|textarea)\b[\s\S]*?<\/\2>)/i)
    .map((part, index) => {
      if (index % 3 === 1) return part;
      if (index % 3 === 2) return '';
      return part.replace(/[ \t]*\n\s*/g, ' ');
    })
    .join('');
}

const minifiers = { css: minifyCss, html: minifyHtml };

/** Returns `code` with the text of every css`` and html`` template minified, or null if it has none. */
export function minifyLitTemplates(code, lang) {
  if (!/\b(css|html)`/.test(code)) return null;
  const edits = [];
  visit(parseAst(code, { lang }), (node) => {
    const minify = node.type === 'TaggedTemplateExpression' && node.tag.type === 'Identifier' && minifiers[node.tag.name];
    if (!minify) return;
    const quasis = node.quasi.quasis;
    const parts = minify(quasis.map((quasi) => quasi.value.raw).join(HOLE)).split(HOLE);
    if (parts.length !== quasis.length) throw new Error(`minify-lit-templates: lost an expression at offset ${node.start}`);
    quasis.forEach((quasi, index) => {
      // Parsing TypeScript, a template element's span includes its delimiters (` or } before,
      // ${ or ` after); parsing JavaScript, it is the raw text alone.
      const raw = quasi.value.raw;
      const start = quasi.end - quasi.start === raw.length ? quasi.start : quasi.start + 1;
      if (code.slice(start, start + raw.length) !== raw) throw new Error(`minify-lit-templates: unexpected span at offset ${start}`);
      edits.push({ start, end: start + raw.length, text: parts[index] });
    });
  });
  if (edits.length === 0) return null;
  edits.sort((a, b) => b.start - a.start);
  for (const { start, end, text } of edits) code = code.slice(0, start) + text + code.slice(end);
  return code;
}

function visit(node, callback) {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, callback);
  } else if (node && typeof node.type === 'string') {
    callback(node);
    for (const key in node) {
      const value = node[key];
      if (value && typeof value === 'object') visit(value, callback);
    }
  }
}

/** A Vite plugin applying minifyLitTemplates to the widgets' sources. */
export function minifyLitTemplatesPlugin() {
  return {
    name: 'minify-lit-templates',
    enforce: 'pre',
    transform: {
      filter: { id: /\/widgets\/.*\.ts$/ },
      handler(code) {
        const minified = minifyLitTemplates(code, 'ts');
        return minified === null ? null : { code: minified, map: null };
      },
    },
  };
}
