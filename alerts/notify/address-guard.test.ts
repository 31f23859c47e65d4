import { describe, expect, it } from 'vitest';
import { destinationRefusal, refusal } from './address-guard.js';

const open = { allowPrivate: true };
const closed = { allowPrivate: false };

describe('which addresses notifications may go to', () => {
  it.each([
    ['169.254.169.254'], ['169.254.0.1'], ['fe80::1'], ['::ffff:169.254.169.254'], ['fd00:ec2::254'],
  ])('%s is link-local (cloud metadata): refused whatever the setting', (address) => {
    expect(refusal(address, open)).toMatch(/link-local/);
    expect(refusal(address, closed)).toMatch(/link-local/);
  });

  it.each([
    ['127.0.0.1'], ['127.8.9.10'], ['10.1.2.3'], ['172.16.0.1'], ['172.31.255.255'], ['192.168.1.1'], ['100.64.0.1'],
    ['0.0.0.0'], ['::1'], ['::'], ['fd12:3456::1'], ['::ffff:10.0.0.1'],
  ])('%s is loopback or private: refused only when allow_private is false', (address) => {
    expect(refusal(address, open)).toBeNull();
    expect(refusal(address, closed)).toMatch(/private/);
  });

  it.each([['8.8.8.8'], ['172.32.0.1'], ['100.128.0.1'], ['2606:4700::1111'], ['192.169.0.1']])('%s is public: allowed', (address) => {
    expect(refusal(address, closed)).toBeNull();
  });

  it('checks what a host name resolves to, literal IPv6 in brackets, and allows a name that does not resolve now', async () => {
    expect(await destinationRefusal('http://localhost:9/hook', closed)).toMatch(/^localhost resolves to 127\.0\.0\.1, a loopback/);
    expect(await destinationRefusal('http://localhost:9/hook', open)).toBeNull();
    expect(await destinationRefusal('http://[fe80::1]/hook', open)).toMatch(/^fe80::1 is a link-local/);
    expect(await destinationRefusal('https://no-such-host.invalid/hook', closed)).toBeNull();
  });
});
