/**
 * Node adapters for the worker RPC (worker-rpc.ts): Node's `worker_threads` speak EventEmitter
 * (`on('message', data => …)`, an `exit` event) where the RPC expects the browser's
 * `addEventListener('message', event => event.data)` and an `error` event. Node-only, so it is not
 * exported from src/index.ts (a browser bundle must not pull in `node:worker_threads`); the CLI and
 * Node tests import it directly.
 */
import {
  Worker,
  parentPort,
  type MessagePort as NodeMessagePort,
  type TransferListItem,
  type WorkerOptions,
} from 'node:worker_threads';
import type { EndpointErrorEvent, EndpointMessageEvent, MessageEndpoint, WorkerLike } from './worker-rpc.ts';

type MessageListener = (event: EndpointMessageEvent) => void;
type ErrorListener = (event: EndpointErrorEvent) => void;

// The RPC types transfer lists with the DOM's Transferable; at runtime Node accepts the same
// ArrayBuffers and MessagePorts, the two type worlds just do not know each other.
const nodeTransfer = (transfer: Transferable[]) => transfer as unknown as readonly TransferListItem[];

/**
 * Adapts a `worker_threads` Worker to the {@link WorkerLike} the client expects. A Node worker
 * dies on an uncaught exception (`error`) or may simply `exit`; both are reported once as an
 * `error` event, and an exit we caused with `terminate()` is not reported at all. The adapter keeps
 * its own `error` listener for the worker's whole life so that an error after the client stopped
 * listening does not become an uncaught 'error' event that kills the process.
 */
export function nodeWorkerEndpoint(worker: Worker): WorkerLike {
  const messageWrappers = new Map<MessageListener, (data: unknown) => void>();
  const messageErrorWrappers = new Map<MessageListener, (error: unknown) => void>();
  const errorListeners = new Set<ErrorListener>();
  let ended = false;

  const fail = (event: EndpointErrorEvent) => {
    if (ended) return;
    ended = true;
    for (const listener of [...errorListeners]) listener(event);
  };
  worker.on('error', (error: Error) => fail({ message: error.message, error }));
  worker.on('exit', (code: number) => fail({ message: `the worker exited with code ${code}` }));

  function addEventListener(type: 'message' | 'messageerror', listener: MessageListener): void;
  function addEventListener(type: 'error', listener: ErrorListener): void;
  function addEventListener(
    type: 'message' | 'messageerror' | 'error',
    listener: MessageListener | ErrorListener,
  ): void {
    if (type === 'error') {
      errorListeners.add(listener as ErrorListener);
    } else if (type === 'message') {
      if (messageWrappers.has(listener as MessageListener)) return;
      const wrapped = (data: unknown) => (listener as MessageListener)({ data });
      messageWrappers.set(listener as MessageListener, wrapped);
      worker.on('message', wrapped);
    } else {
      if (messageErrorWrappers.has(listener as MessageListener)) return;
      const wrapped = (error: unknown) => (listener as MessageListener)({ data: error });
      messageErrorWrappers.set(listener as MessageListener, wrapped);
      worker.on('messageerror', wrapped);
    }
  }
  function removeEventListener(type: 'message' | 'messageerror', listener: MessageListener): void;
  function removeEventListener(type: 'error', listener: ErrorListener): void;
  function removeEventListener(
    type: 'message' | 'messageerror' | 'error',
    listener: MessageListener | ErrorListener,
  ): void {
    if (type === 'error') {
      errorListeners.delete(listener as ErrorListener);
      return;
    }
    const wrappers = type === 'message' ? messageWrappers : messageErrorWrappers;
    const wrapped = wrappers.get(listener as MessageListener);
    if (!wrapped) return;
    wrappers.delete(listener as MessageListener);
    worker.off(type, wrapped);
  }

  return {
    postMessage: (message, transfer) => worker.postMessage(message, nodeTransfer(transfer)),
    addEventListener,
    removeEventListener,
    terminate: () => {
      ended = true;
      void worker.terminate();
    },
  };
}

/**
 * Returns a spawn function for {@link createWorkerClient} that starts `new Worker(url, options)`
 * and adapts it with {@link nodeWorkerEndpoint}. The URL must point at JavaScript Node can run
 * (a built file, or a bootstrap that registers a TypeScript loader: Node 20 ignores
 * `execArgv: ['--import', 'tsx']` for the worker's entry, see fixtures/tsx-worker.ts).
 */
export function spawnNodeWorker(url: URL | string, options?: WorkerOptions): () => WorkerLike {
  return () => nodeWorkerEndpoint(new Worker(url, options));
}

/**
 * The worker side's endpoint in Node: wraps `parentPort` (or another Node MessagePort) for
 * {@link exposeJobs}. Throws on the main thread, where there is no parent to serve.
 */
export function nodeParentEndpoint(port: NodeMessagePort | null = parentPort): MessageEndpoint {
  if (!port) throw new Error('nodeParentEndpoint(): not inside a worker_threads Worker (parentPort is null)');
  const wrappers = new Map<MessageListener, (data: unknown) => void>();
  return {
    postMessage: (message, transfer) => port.postMessage(message, nodeTransfer(transfer)),
    addEventListener(_type, listener) {
      if (wrappers.has(listener)) return;
      const wrapped = (data: unknown) => listener({ data });
      wrappers.set(listener, wrapped);
      // `on` (not addEventListener) because it also refs the port: the worker stays alive to serve.
      port.on('message', wrapped);
    },
    removeEventListener(_type, listener) {
      const wrapped = wrappers.get(listener);
      if (!wrapped) return;
      wrappers.delete(listener);
      port.off('message', wrapped);
    },
  };
}
