/**
 * The lab notebook's exercises as programs: the numpy-exact BPTT toy ({@link org.rnnlab.lab.BpttToy}) with
 * numpy's random generator and Python's number formatting, so that its printed lines are the notebook's.
 * Deliberately plain double-precision loops: this package teaches; the fast float32 engine lives elsewhere.
 *
 * <p>Not a library API: rnnlab-lab is an application of the core's public API ({@code org.rnnlab}) and may change.
 */
package org.rnnlab.lab;
