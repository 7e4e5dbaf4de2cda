import { describe, expect, it } from 'vitest';
import { duplicateKey } from '../../src/http/json-body.js';

describe('duplicateKey', () => {
  it('finds a key repeated in one object, at any depth', () => {
    expect(duplicateKey('{"top_k":1,"top_k":2}')).toBe('top_k');
    expect(duplicateKey('{"a":{"b":[{"c":1,"d":{"e":1,"e":2}}]}}')).toBe('e');
    expect(duplicateKey('[[{"x":1}],{"y":[1,{"z":1,"z":1}]}]')).toBe('z');
  });

  it('compares keys after unescaping them', () => {
    expect(duplicateKey('{"top_k":1,"top\\u005fk":2}')).toBe('top_k');
    expect(duplicateKey('{"a\\"b":1,"a\\u0022b":2}')).toBe('a"b');
  });

  it('does not confuse values, strings holding JSON, or equal keys of different objects', () => {
    expect(duplicateKey('{"a":"a","b":"a"}')).toBeUndefined();
    expect(duplicateKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":"}],{"}')).toBeUndefined();
    expect(duplicateKey('{"a":{"x":1},"b":{"x":1}}')).toBeUndefined();
    expect(duplicateKey('[{"a":1},{"a":1}]')).toBeUndefined();
    expect(duplicateKey('{"a":[1,"b",{"c":2}],"b":{},"c":[]}')).toBeUndefined();
    expect(duplicateKey('"x"')).toBeUndefined();
  });

  it('walks 30,000 levels of nesting without recursion', () => {
    const deep = `${'{"a":['.repeat(30_000)}{"k":1,"k":2}${']}'.repeat(30_000)}`;
    expect(duplicateKey(deep)).toBe('k');
  });
});
