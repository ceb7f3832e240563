import { createServer, request, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';

/**
 * The load balancer in front of n8n's webhook processors: each request goes to the next backend
 * in turn (so repeated calls alternate between processors); a backend that refuses the connection
 * is skipped for that request. Which backend answered is counted, so a test can show the spread.
 */
export class RoundRobinProxy {
	private server: Server | undefined;
	private next = 0;
	/** Requests answered, per backend port. */
	readonly answeredBy = new Map<number, number>();

	private backends: number[] = [];

	/** The backends' ports, in the order requests go to them. */
	route(ports: number[]): void {
		this.backends = ports;
	}

	async start(): Promise<string> {
		this.server = createServer((incoming, outgoing) => {
			void this.forward(incoming).then(
				(answer) => {
					outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(outgoing);
				},
				(error: Error) => outgoing.writeHead(502).end(`no backend answered: ${error.message}`),
			);
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
	}

	private async forward(incoming: IncomingMessage): Promise<IncomingMessage> {
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks);
		let lastError: Error | undefined;
		for (let tried = 0; tried < this.backends.length; tried++) {
			const port = this.backends[this.next++ % this.backends.length];
			try {
				const answer = await new Promise<IncomingMessage>((resolve, reject) => {
					const outgoing = request(
						{
							host: '127.0.0.1',
							port,
							method: incoming.method,
							path: incoming.url,
							headers: { ...incoming.headers, 'x-forwarded-for': '127.0.0.1' },
						},
						resolve,
					);
					outgoing.on('error', reject);
					outgoing.end(body);
				});
				this.answeredBy.set(port, (this.answeredBy.get(port) ?? 0) + 1);
				return answer;
			} catch (error) {
				lastError = error as Error;
			}
		}
		throw lastError ?? new Error('no backends');
	}
}
