/**
 * The webview's side of the host connection: `acquireVsCodeApi()` (once per page), its
 * saved state, and an RpcEndpoint over window messages.
 */
import { RpcEndpoint, type Channel, type Envelope, type NotificationMap, type RequestMap } from '../shared/webviewProtocol';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface Host<C extends Channel<RequestMap, NotificationMap, NotificationMap>, S> {
  rpc: RpcEndpoint<C, 'webview'>;
  getState(): S | undefined;
  setState(state: S): void;
}

export function connectToHost<C extends Channel<RequestMap, NotificationMap, NotificationMap>, S>(): Host<C, S> {
  const api = acquireVsCodeApi<S>();
  const rpc = new RpcEndpoint<C, 'webview'>(
    {
      post: (m: Envelope) => api.postMessage(m),
      listen: (f) => {
        const handler = (e: MessageEvent): void => f(e.data);
        window.addEventListener('message', handler);
        return { dispose: () => window.removeEventListener('message', handler) };
      },
    },
    'webview',
  );
  return { rpc, getState: () => api.getState(), setState: (s) => api.setState(s) };
}

/** Creates an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A CSS custom property of the page (VS Code's theme variables), or the fallback. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
