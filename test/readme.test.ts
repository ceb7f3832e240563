/** The README a user reads first, and the docs it links to, must match what the package does. */
import { readFileSync } from 'fs';
import { join } from 'path';

import {
	LATEST_MD,
	PERFORMANCE_DOC,
	readLatest,
	runLine,
	withPerformanceBlock,
} from '../bench/readme';
import { REFERENCE, withFieldTables } from '../scripts/field-tables';
import {
	JPEG_QUALITY,
	MAX_FULL_RESOLUTION_PIXELS,
	SEAM_REACH_PIXELS,
} from '../nodes/ModelsLabInpaint/stitch/stitchPlan';

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
