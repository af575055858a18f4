import { expect } from '@open-wc/testing';
import { CLOSE_CODES } from '../../server/protocol/errors.ts';
import { FINAL_CLOSE_CODES } from './transports.ts';

describe('transports', () => {
  it('stops reconnecting after exactly the close codes the hub marks final, and waits for a token after token_expired', () => {
    const expected = Object.fromEntries(
      Object.entries(CLOSE_CODES)
        .filter(([reason, { retry }]) => !retry || reason === 'token_expired')
        .map(([reason, { code }]) => [code, reason]),
    );
    expect(FINAL_CLOSE_CODES).to.deep.equal(expected);
  });
});
