import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Debian's chromium; the flags keep it from reaching for the (closed) network. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface PageCheck {
  readonly errors: string[];
  /** The count the page's renderer reports having drawn. */
  readonly drawn: number;
  /**
   * Per chart: its caption, how many of its canvas pixels are not blank, and the data points
   * of each series as the chart library holds them.
   */
  readonly charts: { readonly caption: string; readonly inked: number; readonly points: number[] }[];
}

interface EchartsLike {
  getInstanceByDom(element: HTMLElement): { getOption(): { series?: { data?: unknown[] }[] } } | undefined;
}

/** Opens an HTML file (playwright gives the browser a fresh profile folder of its own) from file:// in headless chromium and inspects every chart's canvas. */
export async function checkPage(file: string): Promise<PageCheck> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything the page asks of the network is an error: it must be self-contained.
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:'))
        errors.push(`network request ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const drawn = Number(await page.evaluate(() => document.body.dataset.charts ?? '0'));
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('figure')].map((figure) => {
        const caption = figure.querySelector('figcaption')?.textContent ?? '';
        let inked = 0;
        for (const canvas of figure.querySelectorAll('canvas')) {
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
        }
        const library = (window as unknown as { echarts: EchartsLike }).echarts;
        const chart = library.getInstanceByDom(figure.querySelector('.chart') as HTMLElement);
        const points = (chart?.getOption().series ?? []).map((series) => series.data?.length ?? 0);
        return { caption, inked, points };
      }),
    );
    return { errors, drawn, charts };
  } finally {
    await browser.close();
  }
}
