/**
 * SVG to PNG with resvg, at 2x for crisp previews. The font is DejaVu Sans from the
 * dejavu-fonts-ttf package, found through the module resolver so the path holds from src/ (tsx)
 * and from the esbuild bundle in dist/ alike (packages stay external there); system fonts are
 * never loaded, so a chart comes out byte for byte the same on every machine.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FONT_FAMILY } from './svg.js';

/** Device pixels per SVG pixel. */
export const SCALE = 2;

const require = createRequire(import.meta.url);

let fonts: string[] | undefined;

/** The font files, resolved on first use (resvg reads TrueType; it ignores woff). */
export function fontFiles(): string[] {
  fonts ??= ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
  return fonts;
}

function options(): ResvgRenderOptions {
  return {
    fitTo: { mode: 'zoom', value: SCALE },
    background: '#ffffff',
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    logLevel: 'off',
  };
}

export interface Png {
  png: Buffer;
  width: number;
  height: number;
}

/** Renders an SVG document; throws on an SVG resvg cannot read. */
export function svgToPng(svg: string): Png {
  const image = new Resvg(svg, options()).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

const deflateAsync = promisify(zlib.deflate);

/**
 * The same image off the event loop, for the bots' answer path: resvg draws on libuv's thread pool
 * (renderAsync), and the PNG is encoded here with zlib's asynchronous deflate, which runs there too.
 * resvg's own asPng has no asynchronous form and took ~21 ms of the ~57 ms a chart costs on the
 * loop; this leaves ~2-3 ms there (the pixel copy and the row filter bytes). Rows are stored
 * unfiltered at deflate level 4: flat chart colours compress well without filters, and the result
 * is ~48 KB where asPng gives ~66 KB, for ~17 ms of a pool thread (measured over the bench's ten
 * answers). Not byte-identical to `svgToPng`'s file; the pixels are the same. Rejects on an SVG
 * resvg cannot read, or when `signal` aborts before the drawing starts.
 */
export async function svgToPngAsync(svg: string, signal?: AbortSignal): Promise<Png> {
  const image = await renderAsync(svg, options(), signal ?? null);
  const { width, height } = image;
  const pixels = image.pixels;
  const stride = width * 4;
  const rows = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 0 (none) before each row.
    rows[y * (stride + 1)] = 0;
    pixels.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  // One output chunk for the whole image: each chunk is a callback on the loop.
  const idat = await deflateAsync(rows, { level: 4, chunkSize: 256 * 1024 });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  // 8 bits, RGBA (colour type 6), deflate, no filter method variants, no interlace.
  header.set([8, 6, 0, 0, 0], 8);
  const png = Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { png, width, height };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as PNG chunks use it: zlib's (Node 20.15 and later; ~50 KB in well under 0.1 ms), else a table in JS (~1-2 ms). */
const crc32: (bytes: Uint8Array) => number = (zlib as { crc32?: (b: Uint8Array) => number }).crc32 ?? crc32Js;

function crc32Js(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
