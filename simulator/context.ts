/** What route handlers may see of the simulator; keeps routes testable and the class small. */
import type { JobBook } from './jobs';
import type { SimulatorSettings } from './settings';
import type { FileStore } from './uploads';
import type { KeyKind } from './endpoints';

export interface SimulatorContext {
	settings: SimulatorSettings;
	jobs: JobBook;
	files: FileStore;
	/** e.g. http://127.0.0.1:4010 — used in every URL the simulator hands out. */
	baseUrl(): string;
	port(): number;
	/** Kind of `key`, or undefined when it is not a configured key. */
	keyKind(key: unknown): KeyKind | undefined;
	nextJobId(): number;
	nextUploadId(): number;
}

/** A parsed incoming request as route handlers see it. */
export interface IncomingCall {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON body, or undefined when the body is empty or not JSON. */
	json: unknown;
}
