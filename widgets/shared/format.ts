/**
 * Locale-aware formatting of numbers, percentages and durations with Intl.
 * Formatters are costly to build, so one set is kept per locale.
 */

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;
const SECONDS_PER_DAY = 86_400;

/** The locale for an element: its own or nearest ancestor's `lang`, then the document's, then the browser's. */
export function resolveLocale(element: Element): string {
  const candidates = [
    element.closest('[lang]')?.getAttribute('lang'),
    document.documentElement.lang,
    navigator.language,
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return Intl.getCanonicalLocales(candidate)[0] ?? 'en';
    } catch {
      // An invalid lang attribute must not break rendering; try the next source.
    }
  }
  return 'en';
}

export class Formatter {
  readonly #integer: Intl.NumberFormat;
  readonly #decimal: Intl.NumberFormat;
  readonly #percentFormat: Intl.NumberFormat;
  readonly #units: Record<'day' | 'hour' | 'minute' | 'second', Intl.NumberFormat>;
  readonly #unitList: Intl.ListFormat;

  constructor(locale: string) {
    this.#integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.#decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    this.#percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    const unit = (name: string) => new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'narrow' });
    this.#units = { day: unit('day'), hour: unit('hour'), minute: unit('minute'), second: unit('second') };
    this.#unitList = new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' });
  }

  /** Whole numbers; small non-integers (rates below 10) keep one decimal. */
  number(value: number): string {
    return !Number.isInteger(value) && Math.abs(value) < 10 ? this.#decimal.format(value) : this.#integer.format(value);
  }

  /** `percent` is on the protocol's 0–100 scale. Rounds down so an unfinished job never shows 100 %. */
  percent(percent: number): string {
    return this.#percentFormat.format(Math.floor(percent) / 100);
  }

  /** The two largest non-zero units, for example "1h 5m" or "42s". */
  duration(totalSeconds: number): string {
    let remaining = Math.max(0, Math.round(totalSeconds));
    const parts: string[] = [];
    const steps = [
      ['day', SECONDS_PER_DAY],
      ['hour', SECONDS_PER_HOUR],
      ['minute', SECONDS_PER_MINUTE],
      ['second', 1],
    ] as const;
    for (const [unit, size] of steps) {
      const amount = Math.floor(remaining / size);
      remaining -= amount * size;
      if (amount > 0 || (unit === 'second' && parts.length === 0)) parts.push(this.#units[unit].format(amount));
      if (parts.length === 2) break;
      // After the first unit, only the next smaller one is shown: "1h 5m", never "1h 3s".
      if (parts.length === 1 && amount === 0) break;
    }
    return this.#unitList.format(parts);
  }
}

const formatters = new Map<string, Formatter>();

export function formatterFor(locale: string): Formatter {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = new Formatter(locale);
    formatters.set(locale, formatter);
  }
  return formatter;
}
