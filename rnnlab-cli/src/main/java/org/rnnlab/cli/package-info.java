/**
 * The {@code rnnlab} command line: parsing, help and error reporting over the library. No numeric code here.
 *
 * <p>Not a library API: rnnlab-cli is an application of the core's public API ({@code org.rnnlab}) and may change.
 */
package org.rnnlab.cli;
