/** Where a federation sign-in may send the browser: this console, or a configured prefix; never elsewhere. */
import { describe, expect, it } from 'vitest';
import { isDestinationPrefix } from '../../src/config.js';
import { acceptIssuer, resolveDestination } from '../../src/console/destination.js';

const ORIGIN = 'https://latchkey.example.com';
const ALLOWED = ['https://portal.example.com/app'];

describe('resolveDestination', () => {
  it.each([
    [undefined, '/console'],
    ['', '/console'],
    ['/console', '/console'],
    ['/console/', '/console/'],
    ['/console?x=1', '/console?x=1'],
    ['https://latchkey.example.com/console/credentials', '/console/credentials'],
    ['https://console.aws.amazon.com/ec2/home', '/console'],
    // Dot segments are resolved first: they cannot climb out of /console, and here land in it.
    ['/%2e%2e/console', '/console'],
    ['https://portal.example.com/app', 'https://portal.example.com/app'],
    ['https://portal.example.com/app/x?y=1', 'https://portal.example.com/app/x?y=1'],
  ])('allows %s → %s', (destination, expected) => {
    expect(resolveDestination(destination, ORIGIN, ALLOWED)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/console',
    '///evil.example/console',
    '/\\evil.example/console',
    '\\\\evil.example',
    '/console/../admin',
    '/consolex',
    'javascript:alert(1)',
    'data:text/html,hi',
    'http://latchkey.example.com/console',
    'https://latchkey.example.com.evil.example/console',
    'https://user@latchkey.example.com/console',
    'https://portal.example.com/apple',
    'https://portal.example.com/',
    'http://console.aws.amazon.com/',
    '/console\n/x',
    ' /console',
    `/console/${'a'.repeat(2100)}`,
  ])('refuses %s', (destination) => {
    expect(resolveDestination(destination, ORIGIN, ALLOWED)).toBeUndefined();
  });
});

describe('acceptIssuer and isDestinationPrefix', () => {
  it('keeps http(s) issuers only', () => {
    expect(acceptIssuer('https://broker.example/login')).toBe('https://broker.example/login');
    for (const bad of ['javascript:alert(1)', 'broker', 'https://u:p@b.example/', undefined]) expect(acceptIssuer(bad)).toBeUndefined();
  });

  it('takes absolute http(s) prefixes without query, fragment or credentials', () => {
    expect(isDestinationPrefix('https://portal.example.com/app')).toBe(true);
    for (const bad of ['/app', 'https://a.example/?q', 'https://a.example/#x', 'https://u@a.example/', 'ftp://a.example/']) expect(isDestinationPrefix(bad)).toBe(false);
  });
});
