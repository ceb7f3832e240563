/**
 * A result image cut short, in n8n's filesystem binary data mode (n8n 2.x's default): there the
 * picture is streamed into storage and read back from it to be checked (getBinaryStream), while the
 * other suites run in the in-memory mode, where the check reads the item's base64 text. Covers
 * the Inpaint node (the ModelsLab Fetch node downloads through the same code).
 */
import { Container } from '@n8n/di';
import { mkdtempSync, rmSync } from 'fs';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';
import { tmpdir } from 'os';
import { join } from 'path';

import { FAST_LIMITS } from './support/faults';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();
const storage = mkdtempSync(join(tmpdir(), 'modelslab-test-binary-'));

beforeAll(async () => {
	const config = Container.get(BinaryDataConfig);
	config.mode = 'filesystem';
	config.localStoragePath = storage;
	await Container.get(BinaryDataService).init();
});
afterAll(() => rmSync(storage, { recursive: true, force: true }));

const IMAGE = /^\/generations\//;
const cutOnce = (truncateTo: number) =>
	simulator.respondOnce({ method: 'GET', path: IMAGE }, { passThrough: true, truncateTo });
const wholeFile = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
/** The bytes n8n stored for a binary field, from its storage, as the next node would read them. */
const storedBytes = async (binary: IBinaryData) =>
	await Container.get(BinaryDataService).getAsBuffer(binary);
const downloads = () => simulator.requestsTo('/generations/').length;

describe('a result PNG cut short, in filesystem binary data mode', () => {
	it('is downloaded again, and the whole picture is stored', async () => {
		cutOnce(-4);
		const { output, error } = await inpaint({
			...minimalParameters.community,
			processingOptions: FAST_LIMITS,
		});
		expect(error).toBeUndefined();
		expect(downloads()).toBe(2);
		const binary = output[0].binary!.data;
		expect(binary.id).toMatch(/^filesystem(-v2)?:/);
		const stored = await storedBytes(binary);
		expect(stored.equals(await wholeFile(simulator.jobs[0].outputs[0]))).toBe(true);
		expect(binary.bytes).toBe(stored.length);
	});

	it('is reported with the link and the request id when it stays cut, and no item is output', async () => {
		for (let attempt = 0; attempt < 4; attempt++) cutOnce(1000);
		const { output, error } = await inpaint({
			...minimalParameters.community,
			processingOptions: FAST_LIMITS,
		});
		const link = simulator.jobs[0].outputs[0];
		expect(error?.message).toBe(
			`Could not download the image ${link}: the file ended early, so the picture is incomplete (got 1000 bytes; a whole PNG ends with its IEND marker)`,
		);
		expect(error?.description).toMatch(
			/The job itself succeeded \(request id 90000001\).*\(Tried 4 times\.\)$/s,
		);
		expect(output).toEqual([]);
		expect(downloads()).toBe(4);
		expect(simulator.requestsTo('/api/v6/images/inpaint')).toHaveLength(1);
	});

	it('On Error: Continue gives an error item without binary data', async () => {
		for (let attempt = 0; attempt < 4; attempt++) cutOnce(0);
		const { output } = await inpaint(
			{ ...minimalParameters.community, processingOptions: FAST_LIMITS },
			{ continueOnFail: true },
		);
		expect(output).toHaveLength(1);
		expect(output[0].binary).toBeUndefined();
		expect(String(output[0].json.error)).toMatch(/the file ended early.*got 0 bytes/);
	});
});
