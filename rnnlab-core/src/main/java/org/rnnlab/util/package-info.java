/** Small shared utilities with no numeric meaning of their own: the seeded random source. */
package org.rnnlab.util;
