/**
 * Locale-aware formatting of numbers, percentages and durations with Intl.
 * Formatters are costly to build, so one set is kept per locale.
 */

/** The units a duration is told in, largest first, with their length in seconds. */
const DURATION_UNITS = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
] as const;

/** The locale for an element: its own or nearest ancestor's `lang`, then the document's, then the browser's. */
export function resolveLocale(element: Element): string {
  for (const candidate of [element.closest('[lang]')?.getAttribute('lang'), document.documentElement.lang, navigator.language]) {
    try {
      if (candidate) return Intl.getCanonicalLocales(candidate)[0]!;
    } catch {
      // An invalid lang attribute must not break rendering; try the next source.
    }
  }
  return 'en';
}

export class Formatter {
  readonly #integer: Intl.NumberFormat;
  readonly #decimal: Intl.NumberFormat;
  readonly #percent: Intl.NumberFormat;
  readonly #units: (readonly [seconds: number, format: Intl.NumberFormat])[];
  readonly #unitList: Intl.ListFormat;
  readonly #plurals: Intl.PluralRules;

  constructor(locale: string) {
    const numberFormat = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options);
    this.#integer = numberFormat({ maximumFractionDigits: 0 });
    this.#decimal = numberFormat({ maximumFractionDigits: 1 });
    // Percentages have no fraction digits by default.
    this.#percent = numberFormat({ style: 'percent' });
    this.#units = DURATION_UNITS.map(([unit, seconds]) => [seconds, numberFormat({ style: 'unit', unit, unitDisplay: 'narrow' })]);
    this.#unitList = new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' });
    this.#plurals = new Intl.PluralRules(locale);
  }

  /** True when `count` takes the singular in this locale ("1 migration", but "0 migrations"). */
  isSingular(count: number): boolean {
    return this.#plurals.select(count) === 'one';
  }

  /** Whole numbers; small non-integers (rates below 10) keep one decimal. */
  number(value: number): string {
    return (Math.abs(value) < 10 ? this.#decimal : this.#integer).format(value);
  }

  /** `percent` is on the protocol's 0–100 scale. Rounds down so an unfinished job never shows 100 %. */
  percent(percent: number): string {
    return this.#percent.format(Math.floor(percent) / 100);
  }

  /** The largest non-zero unit and the next smaller one unless it is zero: "1h 5m", "1h" (never "1h 3s"), "42s". */
  duration(totalSeconds: number): string {
    let remaining = Math.max(0, Math.round(totalSeconds));
    const parts: string[] = [];
    for (const [seconds, format] of this.#units) {
      // Once the largest unit is in, only the next smaller one is looked at.
      const afterLargest = parts.length > 0;
      const amount = Math.floor(remaining / seconds);
      remaining %= seconds;
      if (amount || (seconds === 1 && !afterLargest)) parts.push(format.format(amount));
      if (afterLargest) break;
    }
    return this.#unitList.format(parts);
  }
}

const formatters = new Map<string, Formatter>();

export function formatterFor(locale: string): Formatter {
  let formatter = formatters.get(locale);
  if (!formatter) formatters.set(locale, (formatter = new Formatter(locale)));
  return formatter;
}
