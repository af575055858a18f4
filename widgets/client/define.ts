/**
 * Defines a custom element unless the tag is taken. A page that loads two copies of the widgets
 * (a script tag and an npm build, say) keeps the first definition and gets a warning instead of
 * a "name already used" exception that would stop the second script.
 */
export function defineElement(tag: string, constructor: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (!existing) {
    customElements.define(tag, constructor);
  } else if (existing !== constructor) {
    console.warn(`<${tag}> is already defined, probably by a second copy of the Jobcast widgets; keeping the first.`);
  }
}
