import { expect } from '@open-wc/testing';
import { formatterFor, resolveLocale } from './format.ts';

describe('formatterFor', () => {
  it('formats numbers, percentages and durations for the locale', () => {
    const en = formatterFor('en-US');
    expect(en.number(1234567)).to.equal('1,234,567');
    expect(en.number(2.345)).to.equal('2.3');
    expect(en.percent(42.9)).to.equal('42%');
    expect(en.percent(99.99)).to.equal('99%');
    expect(en.duration(42)).to.equal('42s');
    expect(en.duration(3900)).to.equal('1h 5m');
    expect(en.duration(3603)).to.equal('1h');
    expect(en.duration(0)).to.equal('0s');

    const de = formatterFor('de-DE');
    expect(de.number(1234567)).to.equal('1.234.567');
    expect(de.percent(42)).to.match(/^42\s%$/);
  });

  it('tells which counts take the singular in the locale', () => {
    const en = formatterFor('en-US');
    expect([0, 1, 2].map((count) => en.isSingular(count))).to.deep.equal([false, true, false]);
    // French counts zero as singular too.
    expect(formatterFor('fr').isSingular(0)).to.equal(true);
  });

  it('shows the largest unit and the next smaller one only when it is not zero', () => {
    const en = formatterFor('en-US');
    expect(en.duration(2 * 86_400 + 5 * 3600 + 59)).to.equal('2d 5h');
    expect(en.duration(86_400 + 59)).to.equal('1d');
    expect(en.duration(86_400 + 60)).to.equal('1d');
    expect(en.duration(3600 + 60 + 1)).to.equal('1h 1m');
    expect(en.duration(59.6)).to.equal('1m');
    expect(en.duration(-5)).to.equal('0s');
    expect(en.number(5)).to.equal('5');
    expect(en.number(-2.34)).to.equal('-2.3');
    expect(en.number(9.96)).to.equal('10');
    expect(en.number(10.4)).to.equal('10');
    expect(en.percent(0.4)).to.equal('0%');
  });

  it('keeps one formatter per locale', () => {
    expect(formatterFor('fr')).to.equal(formatterFor('fr'));
  });
});

describe('resolveLocale', () => {
  it('takes the nearest lang, then the document, and survives an invalid tag', () => {
    const outer = document.createElement('div');
    outer.lang = 'de-CH';
    const inner = document.createElement('span');
    outer.append(inner);
    document.body.append(outer);
    try {
      expect(resolveLocale(inner)).to.equal('de-CH');
      outer.lang = 'not a locale!';
      expect(resolveLocale(inner)).to.equal(document.documentElement.lang || navigator.language);
    } finally {
      outer.remove();
    }
  });
});
