/** The README a user reads first, and the docs it links to, must match what the package does. */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, extname, join, relative, resolve, sep } from 'path';

import {
	LATEST_MD,
	PERFORMANCE_DOC,
	readLatest,
	runLine,
	withPerformanceBlock,
} from '../bench/readme';
import { REFERENCE, withFieldTables } from '../scripts/field-tables';
import { MAX_FULL_RESOLUTION_PIXELS } from '../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { JPEG_QUALITY } from '../nodes/ModelsLabInpaint/stitch/sentPhoto';
import { SEAM_REACH_PIXELS } from '../nodes/ModelsLabInpaint/stitch/seamPlan';
import { DOC_PAGES, REPOSITORY } from './support/docsPages';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const reference = readFileSync(REFERENCE, 'utf8');
const performance = readFileSync(PERFORMANCE_DOC, 'utf8');

/** The README's part for users: everything before the first section for developers. */
const userPart = readme.split('\n## Quick start (for developers)\n')[0];
const lineOf = (heading: string) => readme.split('\n').indexOf(heading) + 1;

it('starts with the first inpaint, and keeps the part for users short', () => {
	expect(userPart.split('\n').length).toBeLessThanOrEqual(250);
	expect(lineOf('## Your first inpaint')).toBeGreaterThan(0);
	expect(lineOf('## Your first inpaint')).toBeLessThanOrEqual(60);
	// At most six steps, from a form upload to a result.
	const steps = readme
		.split('## Your first inpaint')[1]
		.split('\n## ')[0]
		.match(/^\d+\. /gm);
	expect(steps).toHaveLength(6);
});

it('documents every endpoint field exactly as the schemas enforce it (run npm run docs:fields)', () => {
	expect(reference).toBe(withFieldTables(reference));
	expect(reference).toContain(
		'| Width | `width` | Options | the photo\'s size, fitted (Custom: `"512"`) | a whole number from 1 to 1024 |',
	);
});

it('gives a fresh clone exactly two commands: the demo and the tests', () => {
	const quickStart = readme.split('## Quick start')[1].split('\n## ')[0];
	const commands = quickStart
		.match(/```bash\n([\s\S]*?)```/)![1]
		.trim()
		.split('\n');
	expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);
});

it('quotes in docs/performance.md exactly what bench/results/latest.json says, from the run latest.md reports (run npm run docs:bench)', () => {
	const latest = readLatest();
	expect(performance).toBe(withPerformanceBlock(performance, latest));
	expect(readFileSync(LATEST_MD, 'utf8')).toContain(runLine(latest));
	// Every figure of the page is inside the generated block: nothing typed by hand around it.
	const outside = performance.replace(/<!-- bench:start[\s\S]*<!-- bench:end -->/, '');
	expect(outside).not.toMatch(/\d/);
});

it('states the paste-back figures the code uses: how far the seam reaches, the JPEG quality, the pixel limit', () => {
	expect(reference).toContain(`more than ${SEAM_REACH_PIXELS} pixels from the mask`);
	expect(reference).toContain(`quality ${JPEG_QUALITY}`);
	for (const text of [readme, reference]) {
		expect(text).not.toMatch(new RegExp(`quality (?!${JPEG_QUALITY})\\d\\d`));
	}
	expect(reference).toContain(`Photos up to ${MAX_FULL_RESOLUTION_PIXELS / 1e6} megapixels`);
	expect(userPart).toContain(`up to ${MAX_FULL_RESOLUTION_PIXELS / 1e6} megapixels`);
});

describe('the pictures of the README and docs/', () => {
	const [root, pages] = [REPOSITORY, DOC_PAGES];
	/** Every picture a page embeds or links (`![…](…)`, `[…](….png)`, `<img src>`), as a path. */
	const picturesOf = (page: string) =>
		[
			...readFileSync(page, 'utf8').matchAll(
				/\]\(([^)\s#]+\.(?:png|svg|jpe?g|gif|webp))[)#\s"]|<img[^>]*\ssrc="([^"]+)"/gi,
			),
		]
			.map((match) => match[1] ?? match[2])
			.filter((target) => !/^https?:/.test(target))
			.map((target) => resolve(dirname(page), target));
	const pictures = [...new Set(pages.flatMap(picturesOf))];
	const inDocs = pictures.filter((file) => file.startsWith(join(root, 'docs') + sep));

	/** A PNG with its signature and a header of a real size, or an SVG document. */
	function kindOf(file: string): string {
		const bytes = readFileSync(file);
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		if (bytes.subarray(0, 8).equals(png) && bytes.subarray(12, 16).toString() === 'IHDR')
			return bytes.readUInt32BE(16) > 0 && bytes.readUInt32BE(20) > 0 ? 'png' : 'empty png';
		const text = bytes.toString('utf8', 0, 4096);
		if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(text)) return 'svg';
		return 'neither PNG nor SVG';
	}

	it('finds the pictures the README shows (a README with none would pass for nothing)', () => {
		expect(picturesOf(join(root, 'README.md')).length).toBeGreaterThan(0);
	});

	it.each(inDocs.map((file) => [relative(root, file), file]))(
		'%s is there, a real PNG or SVG of its name',
		(_, file) => {
			expect(existsSync(file)).toBe(true);
			expect(kindOf(file)).toBe(extname(file).slice(1).toLowerCase());
		},
	);

	it('shows every screenshot of docs/screenshots in the README or a page of docs/', () => {
		const folder = join(root, 'docs', 'screenshots');
		const screenshots = readdirSync(folder)
			.filter((name) => name.endsWith('.png'))
			.map((name) => join(folder, name));
		expect(screenshots.filter((file) => !pictures.includes(file))).toEqual([]);
	});
});
