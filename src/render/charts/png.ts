/**
 * SVG to PNG with resvg, at 2x for crisp previews. The font is DejaVu Sans from the
 * dejavu-fonts-ttf package, found through the module resolver so the path holds from src/ (tsx)
 * and from the esbuild bundle in dist/ alike (packages stay external there); system fonts are
 * never loaded, so a chart comes out byte for byte the same on every machine.
 */
import { createRequire } from 'node:module';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
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
