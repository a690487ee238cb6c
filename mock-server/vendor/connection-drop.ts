/**
 * A fault that drops the connection has no HTTP answer. The app returns this
 * marked response and each host turns it into its own kind of failure: the
 * in-process fetch rejects, the Node server destroys the socket, the Worker
 * answers with a body stream that errors.
 */
const dropped = new WeakSet<Response>();

export function droppedConnection(): Response {
  const response = new Response(null, { status: 599 });
  dropped.add(response);
  return response;
}

export function isDroppedConnection(response: Response): boolean {
  return dropped.has(response);
}

export class ConnectionDroppedError extends TypeError {
  constructor() {
    super("fetch failed: the mock dropped the connection (fault injection)");
    this.name = "ConnectionDroppedError";
  }
}
