/** Shared shapes of the simulator's public state. */

/** The four inpaint endpoints ModelsLab documents; each has its own routes, rules and quirks. */
export type InpaintEndpoint = 'imageEditing' | 'community' | 'legacy' | 'enterprise';

/**
 * The v6 image-editing helpers that make or use masks (modelslab-editing.md): mask_creator,
 * removebg_mask and object_removal. Their jobs are fetched at /api/v6/image_editing/fetch/{id}.
 */
export type EditingEndpoint = 'maskCreator' | 'removeBgMask' | 'objectRemoval';

export type Endpoint = InpaintEndpoint | EditingEndpoint;

export type JobStatus = 'processing' | 'success' | 'failed';

/** One HTTP request received on a ModelsLab (non-control) route, in arrival order. */
export interface RecordedRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body is JSON, otherwise the raw text ('' when empty). */
	body: unknown;
	/** Date.now() when the request arrived. */
	receivedAt: number;
	/**
	 * What the simulator did with it: the HTTP status and JSON body it answered, or the fault it
	 * injected. Set once the answer has been decided; tests use it to tell refused submits from lost ones.
	 */
	answer?: { status: number; body?: unknown; fault?: Fault };
}

/** A generation job created by an accepted submit. */
export interface SimulatedJob {
	id: number;
	endpoint: Endpoint;
	/** The submitted JSON body, key included, exactly as received. */
	body: Record<string, unknown>;
	createdAt: number;
	/** When the job finishes (equal to createdAt for instant jobs). */
	readyAt: number;
	status: JobStatus;
	/** Output URLs; assigned at submit (they double as future_links) but served only after success. */
	outputs: string[];
	/** The API key that submitted the job (the "account" used for queue limits and fetch). */
	apiKey: string;
	width: number;
	height: number;
	samples: number;
	/** True when outputs are `.base64` text files instead of picture files. */
	base64Output: boolean;
	/** Decided at submit from settings.failJobs, so flipping the setting later does not change it. */
	willFail: boolean;
	/** Echo of the request without the key, plus defaults (and W/H/n_samples/file_prefix on v3). */
	meta: Record<string, unknown>;
	generationTime: number;
}

/** One webhook delivery attempt made by the simulator (automatic or via deliverCallback). */
export interface CallbackDelivery {
	jobId: number;
	url: string;
	body: unknown;
	/** HTTP status the receiver answered with; 0 when nothing was delivered. */
	status: number;
	/** The receiver's answer body (its first 2000 characters); '' when none. */
	answer?: string;
	error?: string;
	/** Date.now() when the delivery started (the request was about to be sent). */
	sentAt: number;
	/** Date.now() when the receiver's answer had arrived (or the delivery failed). */
	deliveredAt: number;
}

/** Which requests a canned respondOnce() answer applies to. */
export interface ResponseMatch {
	/** Upper-case HTTP method; any method when omitted. */
	method?: string;
	/** Exact path (no query) or a pattern tested against the path. */
	path: string | RegExp;
}

/**
 * Transport faults a canned answer can inject:
 * - `hang`: accept the request and never answer (the socket stays open until reset() or stop());
 * - `reset`: send the status line, the headers and half of the body, then reset the connection.
 */
export type Fault = 'hang' | 'reset';

/** A canned answer; `raw` wins over `body` (sent as JSON). Status defaults to 200. */
export interface CannedResponse {
	status?: number;
	body?: unknown;
	raw?: string;
	headers?: Record<string, string>;
	/** Instead of answering normally, inject this transport fault. */
	fault?: Fault;
	/** Answer this many ms late (headers included). */
	delayMs?: number;
	/** Send the body in `dripBytes`-sized pieces, this many ms apart: a slow download. */
	dripMs?: number;
	/** Piece size for `dripMs`; default 1024. */
	dripBytes?: number;
	/**
	 * Send only the first `truncateTo` bytes of the body (a negative number: all but the last
	 * `-truncateTo`), with a `content-length` that matches the cut body, as a cache that stored a
	 * cut copy serves it: HTTP sees a complete answer. Usually with `passThrough` (a real image).
	 */
	truncateTo?: number;
	/**
	 * Answer with the route's normal reply (a real job, a real image) but delivered with this
	 * canned answer's fault, delay or drip; `status` and `headers`, when given, replace the
	 * route's. `body` and `raw` are then ignored.
	 */
	passThrough?: boolean;
}

/** What a route handler wants written back. */
export interface Reply {
	status: number;
	json?: unknown;
	raw?: string | Buffer;
	headers?: Record<string, string>;
	/** Answer this many ms late (a slow host); the request is recorded on arrival. */
	delayMs?: number;
}
