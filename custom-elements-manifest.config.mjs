/**
 * `npm run manifest` writes custom-elements.json: every element's attributes, properties,
 * events, slots, CSS parts and custom properties, read from its JSDoc. Storybook's Docs pages
 * are built from it.
 */
export default {
  outdir: '.',
  plugins: [jobcastElementsPlugin()],
};

/**
 * Teaches the analyzer three conventions of the widgets:
 * - elements register with `defineElement('tag', Class)`, not `customElements.define`;
 * - reactive properties declared `{ state: true }` in `static properties` are internal state,
 *   not attributes;
 * - events are documented with `@fires`; an event dispatched under a computed name (a helper
 *   such as `emit(name, …)`) is not one more event.
 */
function jobcastElementsPlugin() {
  const stateProperties = new Map();
  return {
    name: 'jobcast-elements',
    analyzePhase({ ts, node, moduleDoc }) {
      if (ts.isCallExpression(node) && node.expression.getText() === 'defineElement') {
        defineTag(ts, node, moduleDoc);
      }
      if (ts.isClassDeclaration(node) && node.name) {
        stateProperties.set(node.name.text, statePropertyNames(ts, node));
      }
    },
    moduleLinkPhase({ moduleDoc }) {
      for (const declaration of moduleDoc.declarations ?? []) {
        const state = stateProperties.get(declaration.name);
        if (state && declaration.attributes) {
          declaration.attributes = declaration.attributes.filter((attribute) => !state.has(attribute.fieldName));
        }
        if (declaration.events) declaration.events = declaration.events.filter((event) => event.description);
      }
    },
  };
}

function defineTag(ts, call, moduleDoc) {
  const [tag, constructor] = call.arguments;
  if (!tag || !constructor || !ts.isStringLiteral(tag) || !ts.isIdentifier(constructor)) return;
  const declaration = moduleDoc.declarations?.find((candidate) => candidate.name === constructor.text);
  if (!declaration) return;
  declaration.tagName = tag.text;
  declaration.customElement = true;
  moduleDoc.exports = [
    ...(moduleDoc.exports ?? []),
    { kind: 'custom-element-definition', name: tag.text, declaration: { name: constructor.text, module: moduleDoc.path } },
  ];
}

/** Names of the `{ state: true }` entries of a class's `static properties` object. */
function statePropertyNames(ts, classNode) {
  const names = new Set();
  for (const member of classNode.members) {
    if (!ts.isPropertyDeclaration(member) || member.name.getText() !== 'properties') continue;
    if (!member.initializer || !ts.isObjectLiteralExpression(member.initializer)) continue;
    for (const property of member.initializer.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isObjectLiteralExpression(property.initializer)) continue;
      const isState = property.initializer.properties.some(
        (option) => ts.isPropertyAssignment(option) && option.name.getText() === 'state' && option.initializer.kind === ts.SyntaxKind.TrueKeyword,
      );
      if (isState) names.add(property.name.getText());
    }
  }
  return names;
}
