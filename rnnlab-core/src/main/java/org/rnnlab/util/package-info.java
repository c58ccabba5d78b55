/** Small shared utilities with no numeric meaning of their own: the seeded random source, text from files made fit
 * for one-line messages.
 *
 * <p>Internal: this package is not part of rnnlab's public API (package {@code org.rnnlab}) and may change.
 */
package org.rnnlab.util;
