/**
 * Every job ModelsLab accepts is written to n8n's log at info level the moment it is accepted, so
 * that a user whose n8n process died while waiting (a queue-mode worker killed) can still find
 * the billed jobs' request ids and fetch them. The queue-mode e2e suite kills a real worker.
 */
import { allLogs, useLogCapture } from './support/capture-logs';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();
const logs = useLogCapture();

const acceptedLine = (requestId: string | number) =>
	new RegExp(
		`ModelsLab accepted job ${requestId} \\(billed\\): execution \\S+, workflow \\S+, node "ModelsLab", item (\\d+)`,
	);

describe('the log of accepted jobs', () => {
	it('names every accepted job with its item, node, execution and workflow', async () => {
		simulator.settings.jobDurationMs = 200;
		const items = [0, 1, 2].map((index) => ({ json: { index } }));
		const { output, error } = await inpaint(
			{ ...minimalParameters.community, prompt: '={{ "item " + $json.index }}' },
			{ items },
		);
		expect(error).toBeUndefined();
		expect(output).toHaveLength(3);
		for (const job of simulator.jobs) {
			const item = Number(String(job.body.prompt).split(' ')[1]);
			const line = acceptedLine(job.id).exec(logs());
			expect(line?.[1]).toBe(String(item));
		}
	});

	it('has the job before the run stops waiting for it', async () => {
		// Max Wait ends the run with the job still queued: the log line was written before.
		simulator.settings.jobDurationMs = 60_000;
		const { error } = await inpaint({
			...minimalParameters.community,
			processingOptions: { maxWaitSeconds: 1 },
		});
		expect(error?.message).toMatch(/still processing/);
		expect(allLogs()).toMatch(acceptedLine(simulator.jobs[0].id));
	});

	it('has no line for a job ModelsLab refused', async () => {
		simulator.settings.queueLimit = 0;
		const { error } = await inpaint({
			...minimalParameters.community,
			processingOptions: { maxWaitSeconds: 1 },
		});
		expect(error).toBeDefined();
		expect(simulator.jobs).toHaveLength(0);
		expect(logs()).not.toMatch(/ModelsLab accepted job/);
	});
});
