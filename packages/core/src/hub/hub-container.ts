/**
 * The part of a dependency-injection container the framework uses: `get(Class)` returns an instance.
 * An inversify `Container` fits as it is (bind the hubs and class filters, or create the container with
 * `autobind: true`); so does any container with the same method. The framework never imports inversify
 * itself: without a container, hubs and filters are created with `new`.
 *
 * Hubs must be resolved as a new instance for every call (inversify's default transient scope): the
 * framework attaches the invocation to the instance, and refuses an instance that already served one.
 *
 * @example
 * ```ts
 * import { Container } from 'inversify';
 * const container = new Container({ autobind: true });
 * container.bind(ChatStore).toSelf().inSingletonScope();
 * registerHubs(app, [Chat], { container });
 * ```
 */
export interface HubContainer {
  get(serviceIdentifier: abstract new (...args: never[]) => unknown): unknown;
}
