/**
 * Webhook delivery. ModelsLab POSTs the finished job as JSON to the request's `webhook` URL
 * (D2 webhooks.mdx; no signature or secret is documented). The simulator only ever calls
 * http://127.0.0.1 or http://localhost so that a test can never make it call out to the internet.
 */
import { request, type ClientRequest } from 'http';
import type { CallbackDelivery } from './types';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const DELIVERY_TIMEOUT_MS = 5000;
/** How much of the receiver's answer is recorded. */
const MAX_ANSWER_CHARS = 2000;

type Outcome = Omit<CallbackDelivery, 'deliveredAt' | 'sentAt'>;

/** Why `url` may not be called, or undefined when it is a local http URL. */
export function refuseReason(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'not delivered: webhook is not a valid URL';
	}
	if (!LOCAL_HOSTS.has(parsed.hostname)) {
		return 'not delivered: the simulator only calls back to 127.0.0.1/localhost';
	}
	if (parsed.protocol === 'https:')
		return 'not delivered: the simulator cannot call https webhooks';
	if (parsed.protocol !== 'http:') return 'not delivered: webhook is not an http(s) URL';
	return undefined;
}

export class CallbackCourier {
	readonly deliveries: CallbackDelivery[] = [];
	private readonly inFlight = new Set<Promise<CallbackDelivery>>();
	private readonly sockets = new Set<ClientRequest>();
	/** Bumped by reset() so deliveries aborted by it are not recorded into the fresh list. */
	private generation = 0;

	/** POSTs `body` as JSON to `url` and records the outcome (also when refused or failed). */
	deliver(jobId: number, url: string, body: unknown): Promise<CallbackDelivery> {
		const refused = refuseReason(url);
		const generation = this.generation;
		const sentAt = Date.now();
		const outcome: Promise<Outcome> = refused
			? Promise.resolve({ jobId, url, body, status: 0, error: refused })
			: this.post(jobId, url, body);
		const attempt = outcome.then((result) => this.record(result, generation, sentAt));
		this.inFlight.add(attempt);
		void attempt.finally(() => this.inFlight.delete(attempt));
		return attempt;
	}

	/** Records a delivery that was lost on the way (nothing is sent). */
	lose(jobId: number, url: string): void {
		this.record(
			{ jobId, url, body: null, status: 0, error: 'lost: not delivered (lostCallbacks)' },
			this.generation,
		);
	}

	/** Resolves once every delivery started so far has completed. */
	async flush(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	/** Aborts deliveries in progress (on stop); they are recorded with an error. */
	abort(): void {
		for (const req of this.sockets) req.destroy();
		this.sockets.clear();
	}

	/** Aborts deliveries in progress and forgets every recorded one. */
	reset(): void {
		this.generation++;
		this.abort();
		this.deliveries.length = 0;
	}

	private post(jobId: number, url: string, body: unknown): Promise<Outcome> {
		const payload = Buffer.from(JSON.stringify(body));
		return new Promise((resolve) => {
			let settled = false;
			let answeredStatus = 0;
			let answer = '';
			const done = (status: number, error?: string) => {
				if (settled) return;
				settled = true;
				this.sockets.delete(req);
				resolve({ jobId, url, body, status, answer, ...(error ? { error } : {}) });
			};
			// agent: false — a fresh connection that is closed afterwards, so no socket outlives the test.
			const req = request(
				url,
				{
					method: 'POST',
					agent: false,
					timeout: DELIVERY_TIMEOUT_MS,
					headers: {
						'content-type': 'application/json',
						'content-length': String(payload.length),
						'user-agent': 'ModelsLab-Simulator-Webhook',
					},
				},
				(res) => {
					answeredStatus = res.statusCode ?? 0;
					res.setEncoding('utf8');
					res.on('data', (chunk: string) => {
						if (answer.length < MAX_ANSWER_CHARS)
							answer = (answer + chunk).slice(0, MAX_ANSWER_CHARS);
					});
					res.on('end', () => done(res.statusCode ?? 0));
					res.on('error', (err) => done(res.statusCode ?? 0, err.message));
				},
			);
			this.sockets.add(req);
			req.on('timeout', () => req.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS} ms`)));
			req.on('error', (err) => done(0, err.message));
			req.on('close', () =>
				answeredStatus ? done(answeredStatus) : done(0, 'connection closed before an answer'),
			);
			req.end(payload);
		});
	}

	private record(outcome: Outcome, generation: number, sentAt = Date.now()): CallbackDelivery {
		const delivery = { ...outcome, sentAt, deliveredAt: Date.now() };
		if (generation === this.generation) this.deliveries.push(delivery);
		return delivery;
	}
}
