/**
 * {@code rnnlab serve}: a JSON API over HTTP with streaming completions (Server-Sent Events), the playground
 * page and the explorer's page for a posted text (rnnlab-lab's {@code org.rnnlab.explore}), on Javalin (Jetty 12). {@link org.rnnlab.serve.ModelServer} maps the core's typed errors
 * ({@link org.rnnlab.InputException#field()}) to the JSON field of its 400 answers.
 *
 * <p>Not a library API: rnnlab-serve is an application of the core's public API ({@code org.rnnlab}) and may change.
 */
package org.rnnlab.serve;
