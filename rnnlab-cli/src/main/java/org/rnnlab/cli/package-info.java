/**
 * The {@code rnnlab} command line: parsing, help and error reporting over the library. No numeric code here.
 */
package org.rnnlab.cli;
