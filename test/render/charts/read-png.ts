/** Reads a PNG far enough to know it decodes: for the chart tests. */
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A small PNG reader: the signature, IHDR, and the image data inflated to the size its header
 * implies (8-bit RGBA or RGB, one filter byte per row), so a truncated or corrupt file fails.
 */
export function readPng(png: Buffer): { width: number; height: number; colorType: number } {
  expect(png.subarray(0, 8).equals(SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24]!;
  const colorType = png[25]!;
  expect(bitDepth).toBe(8);
  const channels = ({ 2: 3, 6: 4 } as Record<number, number>)[colorType];
  expect(channels).toBeDefined();
  const idat: Buffer[] = [];
  let at = 8;
  let last = '';
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    last = png.toString('latin1', at + 4, at + 8);
    if (last === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  expect(last).toBe('IEND');
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * channels!));
  return { width, height, colorType };
}
