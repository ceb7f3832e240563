/** The README a user reads first must match what the package does. */
import { readFileSync } from 'fs';

import { LATEST_MD, readLatest, runLine, withPerformanceBlock } from '../bench/readme';
import { README, withFieldTables } from '../scripts/field-tables';
import {
	JPEG_QUALITY,
	MAX_FULL_RESOLUTION_PIXELS,
	SEAM_REACH_PIXELS,
} from '../nodes/ModelsLabInpaint/stitch/stitchPlan';

const readme = readFileSync(README, 'utf8');

it('documents every endpoint field exactly as the schemas enforce it (run npm run docs:fields)', () => {
	expect(readme).toBe(withFieldTables(readme));
	expect(readme).toContain(
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

it('quotes in Performance exactly what bench/results/latest.json says, from the run latest.md reports (run npm run docs:bench)', () => {
	const latest = readLatest();
	expect(readme).toBe(withPerformanceBlock(readme, latest));
	expect(readFileSync(LATEST_MD, 'utf8')).toContain(runLine(latest));
	// Every figure of the section is inside the generated block: nothing typed by hand around it.
	const section = readme.split('\n## Performance\n')[1].split('\n## ')[0];
	const outside = section.replace(/<!-- bench:start[\s\S]*<!-- bench:end -->/, '');
	expect(outside).not.toMatch(/\d/);
});

it('states the paste-back figures the code uses: how far the seam reaches, the JPEG quality, the pixel limit', () => {
	expect(readme).toContain(`more than ${SEAM_REACH_PIXELS} pixels from the mask`);
	expect(readme).toContain(`quality ${JPEG_QUALITY}`);
	expect(readme).not.toMatch(new RegExp(`quality (?!${JPEG_QUALITY})\\d\\d`));
	expect(readme).toContain(`Photos up to ${MAX_FULL_RESOLUTION_PIXELS / 1e6} megapixels`);
});
