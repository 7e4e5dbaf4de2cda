import { describe, expect, it } from 'vitest';
import { ObjectManager } from '../../src/objects.js';

describe('ObjectManager', () => {
  it('caches per session and counts hits and misses', () => {
    const objects = new ObjectManager(10);
    let created = 0;
    const make = () => ({ n: ++created });
    expect(objects.getOrCreate('s1', 'db', make)).toEqual({ n: 1 });
    expect(objects.getOrCreate('s1', 'db', make)).toEqual({ n: 1 });
    expect(objects.getOrCreate('s2', 'db', make)).toEqual({ n: 2 });
    expect(objects.stats()).toMatchObject({
      sessions: 2,
      objects: 2,
      hits: 1,
      misses: 2,
      per_session: { s1: 1, s2: 1 },
    });
  });

  it('evicts the least recently used object beyond the bound, disposing it', () => {
    const disposed: string[] = [];
    const objects = new ObjectManager(2);
    const dispose = (v: string) => {
      disposed.push(v);
    };
    objects.set('a', 'k', 'A', dispose);
    objects.set('b', 'k', 'B', dispose);
    objects.get('a', 'k'); // a is now the most recent
    objects.set('c', 'k', 'C', dispose);
    expect(disposed).toEqual(['B']);
    expect(objects.get('b', 'k')).toBeUndefined();
    expect(objects.stats()).toMatchObject({ objects: 2, evictions: 1, sessions: 2 });
  });

  it('evictSession disposes everything of that session only', () => {
    const disposed: string[] = [];
    const objects = new ObjectManager(10);
    objects.set('s1', 'db', 'db1', (v) => void disposed.push(v));
    objects.set('s1', 'agent', 'agent1', (v) => void disposed.push(v));
    objects.set('s2', 'db', 'db2', (v) => void disposed.push(v));
    expect(objects.evictSession('s1')).toBe(2);
    expect(disposed.sort()).toEqual(['agent1', 'db1']);
    expect(objects.keysOf('s1')).toEqual([]);
    expect(objects.get('s2', 'db')).toBe('db2');
    expect(objects.evictSession('s1')).toBe(0);
  });

  it('replacing a value disposes the old one; a failing dispose is reported, not thrown', () => {
    const errors: unknown[] = [];
    const objects = new ObjectManager(10, (error) => errors.push(error));
    objects.set('s', 'k', 1, () => {
      throw new Error('boom');
    });
    objects.set('s', 'k', 2);
    expect(errors).toHaveLength(1);
    expect(objects.get('s', 'k')).toBe(2);
  });
});
