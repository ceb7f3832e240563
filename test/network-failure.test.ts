/**
 * networkFailureOf against the very error objects n8n hands a node when a request got no HTTP
 * answer, in both majors. What decides a paid submit's fate: "not sent" may be sent again, anything
 * else may have created the job and must not be.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { networkFailureOf } from '../nodes/shared/transport/failures';

const node: INode = {
	id: 'n',
	name: 'ModelsLab',
	type: 'n8n-nodes-modelslab.modelsLabInpaint',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** An AxiosError as axios 1.18.0 (the version under both n8n 1.123.81 and 2.41.1) builds it, lib/core/AxiosError.js. */
class AxiosError extends Error {
	isAxiosError = true;
	code?: string;
	response?: { status: number };
	status?: number;
	constructor(message: string, code?: string, response?: { status: number }, cause?: Error) {
		super(message, cause ? { cause } : undefined);
		this.name = 'AxiosError';
		if (code) this.code = code;
		if (response) {
			this.response = response;
			this.status = response.status;
		}
	}
}

/** A socket error as Node reports it, wrapped the way axios does (AxiosError.from: same message and code, the original as cause). */
function fromSocket(message: string, code: string): AxiosError {
	const socketError = Object.assign(new Error(message), { code, syscall: message.split(' ')[0] });
	return new AxiosError(message, code, undefined, socketError);
}

const axiosErrors = {
	// lib/adapters/http.js createTimeoutError(): ECONNABORTED unless transitional.clarifyTimeoutError.
	timeout: () => new AxiosError('timeout of 2000ms exceeded', 'ECONNABORTED'),
	refused: () => fromSocket('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'),
	unresolvable: () => fromSocket('getaddrinfo ENOTFOUND modelslab.invalid', 'ENOTFOUND'),
	dnsDown: () => fromSocket('getaddrinfo EAI_AGAIN modelslab.com', 'EAI_AGAIN'),
	hungUp: () => fromSocket('socket hang up', 'ECONNRESET'),
	// The status line arrived, then the connection broke in the body.
	cutBody: () => new AxiosError('stream has been aborted', 'ERR_BAD_RESPONSE', { status: 200 }),
};

/**
 * n8n 2.41.1: httpRequestWithAuthentication (n8n-core dist/execution-engine/node-execution-context/
 * utils/request-helpers/authentication.js) throws `new NodeApiError(node, axiosError)`; n8n-workflow
 * 2.41.0 keeps the axios error as `cause` and copies its code into `httpCode`.
 */
const asN8n2Throws = (axiosError: Error) => new NodeApiError(node, axiosError as never);

/**
 * n8n 1.123.81: the same `new NodeApiError(node, axiosError)` (n8n-core 1.122.48 dist/execution-engine/
 * node-execution-context/utils/request-helper-functions.js), and NodeApiError's constructor in
 * n8n-workflow 1.120.31 is the same but for the `failure` option. The difference is in
 * dist/cjs/errors/abstract/execution-base.error.js: ExecutionBaseError declares `cause;` as a class
 * field, which redefines it as undefined after Error's constructor set it. The axios error is gone;
 * only `httpCode` (the code) and `messages` (the original texts) remain.
 */
function asN8n1Throws(axiosError: Error) {
	const error = new NodeApiError(node, axiosError as never);
	Object.defineProperty(error, 'cause', {
		value: undefined,
		writable: true,
		enumerable: true,
		configurable: true,
	});
	return error;
}

describe('networkFailureOf', () => {
	describe.each([
		['n8n 1.x', asN8n1Throws],
		['n8n 2.x', asN8n2Throws],
	])('as %s throws it', (_, thrown) => {
		it('a timeout: the job may exist, and the request timeout is named', () => {
			const error = thrown(axiosErrors.timeout());
			expect(error.message).toBe('The connection was aborted, perhaps the server is offline'); // n8n's words
			expect(networkFailureOf(error, 2000)).toEqual({
				kind: 'answer-lost',
				timedOut: true,
				reason: 'no answer within the request timeout of 2 s',
			});
		});

		it('a refused connection: not sent', () => {
			expect(networkFailureOf(thrown(axiosErrors.refused()), 2000)).toEqual({
				kind: 'not-sent',
				timedOut: false,
				reason: 'the server refused the connection',
			});
		});

		it('a host name that does not resolve, or a DNS server that does not answer: not sent', () => {
			expect(networkFailureOf(thrown(axiosErrors.unresolvable()), 2000)).toMatchObject({
				kind: 'not-sent',
				reason: 'the host name could not be found',
			});
			expect(networkFailureOf(thrown(axiosErrors.dnsDown()), 2000)).toMatchObject({
				kind: 'not-sent',
				reason: 'the host name could not be looked up',
			});
		});

		it('a connection cut off after sending: the job may exist, and n8n\'s "retry immediately" is not repeated', () => {
			expect(networkFailureOf(thrown(axiosErrors.hungUp()), 2000)).toEqual({
				kind: 'answer-lost',
				timedOut: false,
				reason: 'the connection was cut off before an answer arrived',
			});
			expect(networkFailureOf(thrown(axiosErrors.cutBody()), 2000)).toEqual({
				kind: 'answer-lost',
				timedOut: false,
				reason: 'stream has been aborted',
			});
		});
	});

	it('n8n 1.x timeout, as recorded from n8n-workflow 1.120.31 wrapping a real axios timeout', () => {
		const recorded = {
			name: 'NodeApiError',
			message: 'The connection was aborted, perhaps the server is offline',
			httpCode: 'ECONNABORTED',
			messages: ['timeout of 1000ms exceeded', 'timeout of 1000ms exceeded'],
			cause: undefined,
			context: {},
		};
		expect(networkFailureOf(recorded, 1000)).toMatchObject({ kind: 'answer-lost', timedOut: true });
		// ...and asN8n1Throws builds the same thing.
		const built = asN8n1Throws(new AxiosError('timeout of 1000ms exceeded', 'ECONNABORTED'));
		expect({ ...built, name: built.name, message: built.message }).toMatchObject(recorded);
	});

	it('n8n 1.x refused connection, as recorded the same way', () => {
		const recorded = {
			name: 'NodeApiError',
			message: 'The service refused the connection - perhaps it is offline',
			httpCode: 'ECONNREFUSED',
			messages: ['connect ECONNREFUSED 127.0.0.1:38477', 'connect ECONNREFUSED 127.0.0.1:38477'],
			cause: undefined,
			context: {},
		};
		expect(networkFailureOf(recorded, 1000)).toMatchObject({ kind: 'not-sent', timedOut: false });
		const built = asN8n1Throws(fromSocket('connect ECONNREFUSED 127.0.0.1:38477', 'ECONNREFUSED'));
		expect({ ...built, name: built.name, message: built.message }).toMatchObject(recorded);
	});

	it('every address of a host refused (an AggregateError whose errors carry the codes): not sent', () => {
		const aggregate = new AggregateError(
			[
				fromSocket('connect ECONNREFUSED ::1:9', 'ECONNREFUSED'),
				fromSocket('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'),
			],
			'',
		);
		expect(
			networkFailureOf(asN8n2Throws(new AxiosError('', undefined, undefined, aggregate)), 1000),
		).toMatchObject({ kind: 'not-sent' });
	});

	it('words decide only when no code is found anywhere', () => {
		expect(networkFailureOf(new Error('connect ECONNREFUSED 127.0.0.1:9'), 1000)).toMatchObject({
			kind: 'not-sent',
		});
		expect(networkFailureOf({ message: 'timeout of 1000ms exceeded' }, 1000)).toMatchObject({
			kind: 'answer-lost',
			timedOut: true,
		});
		// A code outranks words that say otherwise.
		expect(
			networkFailureOf(
				Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNABORTED' }),
				1000,
			),
		).toMatchObject({ timedOut: true });
	});

	it("n8n's rewritten message alone proves nothing: the job may exist", () => {
		expect(
			networkFailureOf(
				new Error('The service refused the connection - perhaps it is offline'),
				1000,
			),
		).toEqual({
			kind: 'answer-lost',
			timedOut: false,
			reason: 'The service refused the connection - perhaps it is offline',
		});
	});

	it('an HTTP status in httpCode is an answer, not a network code', () => {
		expect(networkFailureOf({ message: 'Bad gateway', httpCode: '502' }, 1000)).toMatchObject({
			kind: 'answer-lost',
			timedOut: false,
		});
	});
});
