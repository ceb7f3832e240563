/**
 * ModelsLabSimulator: a real HTTP server on 127.0.0.1 that behaves like ModelsLab's inpainting API
 * (see README.md), records every request, and lets tests steer timing, errors and quirks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { callbackPayload, errorReply } from './answers';
import { CallbackCourier } from './callbacks';
import type { SimulatorContext } from './context';
import { handleControl, type ControlTarget } from './control';
import { JobBook } from './jobs';
import { routeModelsLab } from './routes';
import { defaultSettings, type SimulatorSettings } from './settings';
import type {
	CallbackDelivery,
	CannedResponse,
	RecordedRequest,
	Reply,
	ResponseMatch,
	SimulatedJob,
} from './types';
import { FileStore } from './uploads';
import { specFor } from './editingSpecs';

export interface SimulatorOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Standard API keys; default ['sim-api-key']. */
	apiKeys?: string[];
	/** Enterprise API keys (accepted only on /api/v1/enterprise/...); default ['sim-enterprise-key']. */
	enterpriseKeys?: string[];
	/** Initial (and reset) value of settings.jobDurationMs; default 0. */
	jobDurationMs?: number;
}

/** First job id handed out; real ids are 8-digit integers too. */
const FIRST_JOB_ID = 90000001;
const FIRST_UPLOAD_ID = 5000001;
/** Bodies above this are refused; the 5 MB upload limit needs ~7 MB of JSON, so leave headroom. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class ModelsLabSimulator implements ControlTarget {
	readonly requests: RecordedRequest[] = [];
	/**
	 * Jobs (by id) whose automatic callback is lost on the way: recorded as a delivery with status 0,
	 * never sent. ModelsLab calls "best-effort delivery" (API §5). Cleared by reset().
	 */
	readonly lostCallbacks = new Set<number>();
	/** Mutable knobs; see SimulatorSettings. reset() restores the constructor defaults in place. */
	readonly settings: SimulatorSettings;

	private readonly options: Required<SimulatorOptions>;
	private readonly jobBook: JobBook;
	private readonly courier = new CallbackCourier();
	private readonly files = new FileStore();
	private readonly canned: Array<{ match: ResponseMatch; response: CannedResponse }> = [];
	private readonly scheduledCallbacks = new Set<Promise<unknown>>();
	private readonly context: SimulatorContext;
	private server: Server | undefined;
	private listeningPort = 0;
	private jobIds = FIRST_JOB_ID;
	private uploadIds = FIRST_UPLOAD_ID;
	/** Bumped by reset()/stop() so callbacks scheduled before do not fire into a fresh state. */
	private epoch = 0;
	/** Answers held back by an injected fault (hang, delay, drip): dropped by reset() and stop(). */
	private readonly heldBack = new Set<{ res: ServerResponse; timer?: NodeJS.Timeout }>();

	constructor(options: SimulatorOptions = {}) {
		this.options = {
			port: options.port ?? 0,
			apiKeys: options.apiKeys ?? ['sim-api-key'],
			enterpriseKeys: options.enterpriseKeys ?? ['sim-enterprise-key'],
			jobDurationMs: options.jobDurationMs ?? 0,
		};
		this.settings = defaultSettings(this.options.jobDurationMs);
		this.jobBook = new JobBook((job) => this.onJobFinished(job));
		const apiKeys = new Set(this.options.apiKeys);
		const enterpriseKeys = new Set(this.options.enterpriseKeys);
		this.context = {
			settings: this.settings,
			jobs: this.jobBook,
			files: this.files,
			baseUrl: () => this.baseUrl,
			port: () => this.listeningPort,
			keyKind: (key) => {
				if (typeof key !== 'string') return undefined;
				if (apiKeys.has(key)) return 'standard';
				return enterpriseKeys.has(key) ? 'enterprise' : undefined;
			},
			nextJobId: () => this.jobIds++,
			nextUploadId: () => this.uploadIds++,
		};
	}

	/** e.g. http://127.0.0.1:4010. Throws before start(). */
	get baseUrl(): string {
		if (!this.server) throw new Error('ModelsLabSimulator is not started');
		return `http://127.0.0.1:${this.listeningPort}`;
	}

	get jobs(): SimulatedJob[] {
		return this.jobBook.list;
	}

	get callbacks(): CallbackDelivery[] {
		return this.courier.deliveries;
	}

	async start(): Promise<string> {
		if (this.server) return this.baseUrl;
		const server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.options.port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		const address = server.address();
		this.listeningPort = typeof address === 'object' && address ? address.port : this.options.port;
		this.server = server;
		return this.baseUrl;
	}

	/** Stops listening and drops keep-alive sockets and pending timers so test runners can exit. */
	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.epoch++;
		this.dropHeldBack();
		this.jobBook.cancelTimers();
		this.courier.abort();
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
		this.server = undefined;
	}

	/** Back to a fresh state: no requests, jobs, uploads, callbacks or canned answers; default settings. */
	reset(): void {
		this.epoch++;
		this.dropHeldBack();
		this.requests.length = 0;
		this.lostCallbacks.clear();
		this.jobBook.clear();
		this.courier.reset();
		this.files.clear();
		this.canned.length = 0;
		Object.assign(this.settings, defaultSettings(this.options.jobDurationMs));
		this.jobIds = FIRST_JOB_ID;
		this.uploadIds = FIRST_UPLOAD_ID;
	}

	/** Requests whose path starts with `pathPrefix`, in arrival order. */
	requestsTo(pathPrefix: string): RecordedRequest[] {
		return this.requests.filter((r) => r.path.startsWith(pathPrefix));
	}

	/** The next request matching `match` gets `response` instead of the normal answer (it is still recorded). */
	respondOnce(match: ResponseMatch, response: CannedResponse): void {
		this.canned.push({ match, response });
	}

	/** (Re-)delivers a job's webhook, optionally to another URL or with a forged body. */
	deliverCallback(jobId: number, url?: string, bodyOverride?: unknown): Promise<CallbackDelivery> {
		const job = this.jobBook.find(jobId);
		if (!job) return Promise.reject(new Error(`no job ${jobId}`));
		const target = url ?? (typeof job.body.webhook === 'string' ? job.body.webhook : undefined);
		if (!target) return Promise.reject(new Error(`job ${jobId} has no webhook; pass a url`));
		const body = bodyOverride ?? callbackPayload(job, specFor(job.endpoint), this.settings);
		return this.courier.deliver(job.id, target, body);
	}

	/** Resolves when every automatic or manual webhook delivery started so far has completed. */
	async flushCallbacks(): Promise<void> {
		while (this.scheduledCallbacks.size > 0) await Promise.allSettled([...this.scheduledCallbacks]);
		await this.courier.flush();
	}

	private onJobFinished(job: SimulatedJob): void {
		const webhook = job.body.webhook;
		if (typeof webhook !== 'string' || webhook === '') return;
		const epoch = this.epoch;
		// Deliver after the current request's answer is on its way, like a real queue worker would.
		const scheduled = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
			if (epoch !== this.epoch) return;
			if (this.lostCallbacks.has(job.id)) {
				this.courier.lose(job.id, webhook);
				return;
			}
			await this.courier.deliver(
				job.id,
				webhook,
				callbackPayload(job, specFor(job.endpoint), this.settings),
			);
		});
		this.scheduledCallbacks.add(scheduled);
		void scheduled.finally(() => this.scheduledCallbacks.delete(scheduled));
	}

	private takeCanned(method: string, path: string): CannedResponse | undefined {
		const index = this.canned.findIndex(({ match }) => {
			if (match.method && match.method.toUpperCase() !== method) return false;
			return typeof match.path === 'string' ? match.path === path : match.path.test(path);
		});
		if (index < 0) return undefined;
		return this.canned.splice(index, 1)[0].response;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		try {
			const raw = await readBody(req);
			const method = (req.method ?? 'GET').toUpperCase();
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			if (raw === undefined) return send(res, errorReply('Request body too large', 413));
			const text = raw.toString('utf8');
			const json = parseJson(text);
			if (url.pathname.startsWith('/__sim/')) {
				return send(res, await handleControl(this, method, url.pathname, json));
			}
			const recorded: RecordedRequest = {
				method,
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers: { ...req.headers },
				body: json === undefined ? text : json,
				receivedAt: Date.now(),
			};
			this.requests.push(recorded);
			const canned = this.takeCanned(method, url.pathname);
			let reply =
				canned && !canned.passThrough
					? cannedReply(canned)
					: await routeModelsLab(this.context, {
							method,
							path: url.pathname,
							headers: req.headers,
							json,
						});
			if (canned?.passThrough) {
				// The real answer, under another status or with extra headers ("processing" with HTTP 400).
				reply = {
					...reply,
					status: canned.status ?? reply.status,
					headers: { ...reply.headers, ...canned.headers },
				};
			}
			if (canned?.truncateTo !== undefined) reply = truncatedReply(reply, canned.truncateTo);
			recorded.answer = {
				status: reply.status,
				...(reply.json !== undefined ? { body: reply.json } : {}),
				...(canned?.fault ? { fault: canned.fault } : {}),
			};
			if (canned && (canned.fault || canned.delayMs || canned.dripMs))
				return this.sendFaulty(res, reply, canned);
			if (reply.delayMs) return this.sendFaulty(res, reply, { delayMs: reply.delayMs });
			send(res, reply);
		} catch (error) {
			send(res, errorReply(`Simulator error: ${(error as Error).message}`, 500));
		}
	}

	/** Delivers `reply` late, slowly, half-way, or never, as the canned answer asks. */
	private sendFaulty(res: ServerResponse, reply: Reply, canned: CannedResponse): void {
		const held: { res: ServerResponse; timer?: NodeJS.Timeout } = { res };
		this.heldBack.add(held);
		const done = () => this.heldBack.delete(held);
		// The client gave up (timeout, reset): stop dripping into a closed socket.
		res.once('close', () => {
			clearTimeout(held.timer);
			done();
		});
		if (canned.fault === 'hang') return;
		const { payload, headers } = encodeReply(reply);
		const start = () => {
			res.writeHead(reply.status, headers);
			if (canned.fault === 'reset')
				return resetAfter(res, payload.subarray(0, Math.floor(payload.length / 2)));
			if (!canned.dripMs) {
				res.end(payload);
				done();
				return;
			}
			const size = Math.max(1, canned.dripBytes ?? 1024);
			let offset = 0;
			const drip = () => {
				if (res.destroyed) return;
				res.write(payload.subarray(offset, offset + size));
				offset += size;
				if (offset < payload.length) {
					held.timer = setTimeout(drip, canned.dripMs);
					return;
				}
				res.end();
				done();
			};
			drip();
		};
		if (canned.delayMs) held.timer = setTimeout(start, canned.delayMs);
		else start();
	}

	private dropHeldBack(): void {
		for (const held of this.heldBack) {
			clearTimeout(held.timer);
			held.res.destroy();
		}
		this.heldBack.clear();
	}
}

/** Writes part of a body, then resets the TCP connection (RST) instead of finishing it. */
function resetAfter(res: ServerResponse, part: Buffer): void {
	res.write(part, () => {
		const socket = res.socket as
			| (ServerResponse['socket'] & { resetAndDestroy?: () => void })
			| null;
		if (socket?.resetAndDestroy) socket.resetAndDestroy();
		else res.destroy();
	});
}

/** Reads the whole body; undefined when it exceeds MAX_BODY_BYTES (the rest is drained). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
	return new Promise((resolve, reject) => {
		const parts: Buffer[] = [];
		let size = 0;
		req.on('data', (part: Buffer) => {
			size += part.length;
			if (size <= MAX_BODY_BYTES) parts.push(part);
		});
		req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(parts)));
		req.on('error', reject);
	});
}

function parseJson(text: string): unknown {
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function cannedReply(canned: CannedResponse): Reply {
	const status = canned.status ?? 200;
	if (canned.raw !== undefined) {
		return {
			status,
			raw: canned.raw,
			headers: { 'content-type': 'text/plain; charset=utf-8', ...canned.headers },
		};
	}
	return { status, json: canned.body ?? {}, headers: canned.headers };
}

/**
 * The reply cut to its first `truncateTo` bytes (negative: all but the last), keeping its content
 * type. encodeReply then sends a content-length for the cut body, so the client sees a whole answer.
 */
function truncatedReply(reply: Reply, truncateTo: number): Reply {
	const { payload, headers } = encodeReply(reply);
	const { 'content-length': _, ...kept } = headers;
	return { status: reply.status, raw: payload.subarray(0, truncateTo), headers: kept };
}

function encodeReply(reply: Reply): { payload: Buffer; headers: Record<string, string> } {
	const isRaw = reply.raw !== undefined;
	const payload = Buffer.from(isRaw ? reply.raw! : JSON.stringify(reply.json ?? null));
	const headers: Record<string, string> = {
		'content-type': isRaw ? 'application/octet-stream' : 'application/json',
		...reply.headers,
		'content-length': String(payload.length),
	};
	return { payload, headers };
}

function send(res: ServerResponse, reply: Reply): void {
	const { payload, headers } = encodeReply(reply);
	res.writeHead(reply.status, headers);
	res.end(payload);
}
