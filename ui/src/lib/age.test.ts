import { describe, expect, it } from 'vitest';
import { ageLevel, ageText } from './age';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

describe('age colouring', () => {
  it('is amber over 24 hours and red over 48 hours', () => {
    expect(ageLevel(hoursAgo(1), NOW)).toBe('fresh');
    expect(ageLevel(hoursAgo(24), NOW)).toBe('fresh');
    expect(ageLevel(hoursAgo(24.1), NOW)).toBe('amber');
    expect(ageLevel(hoursAgo(48), NOW)).toBe('amber');
    expect(ageLevel(hoursAgo(48.1), NOW)).toBe('red');
  });

  it('reads as minutes, hours, then days', () => {
    expect(ageText(hoursAgo(0.5), NOW)).toBe('30 min');
    expect(ageText(hoursAgo(30), NOW)).toBe('30 h');
    expect(ageText(hoursAgo(72), NOW)).toBe('3 d');
  });
});
