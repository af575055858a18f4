import { getCustomElements, setCustomElementsManifest, type ArgTypes, type Preview } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';
import '../widgets/index.ts';

interface Item {
  name: string;
  description?: string;
  type?: { text: string };
  default?: string;
  kind?: string;
  privacy?: string;
  static?: boolean;
}

type Declaration = { tagName?: string; summary?: string; description?: string } & Partial<Record<ItemList, Item[]>>;
type ItemList = 'attributes' | 'members' | 'events' | 'slots' | 'cssProperties' | 'cssParts';

/** The Docs table's sections, in order, and where the manifest lists their items. */
const SECTIONS: [ItemList, string][] = [
  ['attributes', 'attributes'],
  ['members', 'properties'],
  ['events', 'events'],
  ['slots', 'slots'],
  ['cssProperties', 'css custom properties'],
  ['cssParts', 'css shadow parts'],
];

setCustomElementsManifest(manifest);

function declarationOf(tagName: string): Declaration | undefined {
  const { modules } = getCustomElements() as { modules: { declarations?: Declaration[] }[] };
  return modules.flatMap((module) => module.declarations ?? []).find((declaration) => declaration.tagName === tagName);
}

/** What a page can use: attributes, public instance fields, events, slots, parts, custom properties. */
function isPublic(item: Item): boolean {
  return item.kind !== 'method' && !item.static && !item.name.startsWith('#') && (item.privacy ?? 'public') === 'public';
}

/**
 * Every documented API of an element, for the Docs table. Keys are per section, because names
 * repeat across sections (the `controls` attribute and the `controls` part, the `output` slot and
 * part). Documentation only: the stories' own controls drive the fake hub.
 */
function argTypesOf(tagName: string): ArgTypes {
  const declaration = declarationOf(tagName);
  const entries = SECTIONS.flatMap(([list, category]) =>
    (declaration?.[list] ?? []).filter(isPublic).map((item) => [
      `${category}: ${item.name}`,
      {
        name: item.name,
        description: item.description,
        control: false as const,
        table: {
          category,
          type: item.type ? { summary: item.type.text } : undefined,
          defaultValue: item.default === undefined ? undefined : { summary: item.default },
        },
      },
    ]),
  );
  return Object.fromEntries(entries) as ArgTypes;
}

/** An element's summary and description from its JSDoc, and how a page loads it. */
function describeElement(tagName: string): string {
  const declaration = declarationOf(tagName);
  const text = [declaration?.summary, declaration?.description].filter(Boolean).join('\n\n');
  const snippet = [
    '```html',
    '<script type="module" src="https://your-hub.example/widgets/jobcast.js"></script>',
    `<${tagName}></${tagName}>`,
    '```',
  ].join('\n');
  return `${text}\n\nOne script tag defines every Jobcast element; the widgets talk to the hub that served it:\n\n${snippet}`;
}

const preview: Preview = {
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    a11y: { test: 'error' },
    docs: {
      extractArgTypes: (component: unknown) => (typeof component === 'string' ? argTypesOf(component) : null),
      extractComponentDescription: (component: unknown) =>
        typeof component === 'string' ? describeElement(component) : null,
    },
  },
  tags: ['autodocs'],
};

export default preview;
