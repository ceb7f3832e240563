/**
 * The sizes of every item's photo and mask links are read at the same time as the run starts,
 * each link once, so that a slow photo host costs its delay once and not once per item or per
 * wave of jobs (`npm run bench` measures the time it saves).
 */
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const ITEMS = 6;

describe("the run's photo and mask links", () => {
	it('are all read before the first job is sent, each link once, even one item at a time', async () => {
		simulator.settings.jobDurationMs = 0;
		// A slow photo host: every read of a photo's first bytes is answered after 500 ms.
		for (let index = 0; index < ITEMS; index++)
			simulator.respondOnce(
				{ method: 'GET', path: '/samples/photo-512x512.png' },
				{ passThrough: true, delayMs: 500 },
			);
		const samples = `${simulator.baseUrl}/samples`;
		const { output, error } = await inpaint(
			{
				...minimalParameters.community,
				prompt: '={{ "item " + $json.index }}',
				// Each item its own photo link (the query tells them apart), one mask for all.
				initImageUrl: `={{ "${samples}/photo-512x512.png?item=" + $json.index }}`,
				maskImageUrl: `${samples}/mask-512x512.png`,
				processingOptions: { maxConcurrentJobs: 1 },
				// Pasting the result back downloads each photo whole after its size was read: not this test's point.
				keepOriginalPixels: false,
			},
			{ items: Array.from({ length: ITEMS }, (_, index) => ({ json: { index } })) },
		);
		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.outputSize)).toEqual(
			Array.from({ length: ITEMS }, () => ({ width: 512, height: 512 })),
		);
		const photoReads = simulator.requestsTo('/samples/photo-512x512.png');
		expect(photoReads.map((read) => read.query.item).sort()).toEqual(
			Array.from({ length: ITEMS }, (_, index) => String(index)),
		);
		expect(simulator.requestsTo('/samples/mask-512x512.png')).toHaveLength(1);
		const firstSubmit = simulator.requestsTo('/api/v6/images/inpaint')[0].receivedAt;
		expect(Math.max(...photoReads.map((read) => read.receivedAt))).toBeLessThanOrEqual(firstSubmit);
	});
});
