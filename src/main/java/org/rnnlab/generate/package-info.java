/**
 * Generation: samplers (greedy, temperature, top-k, top-p) and, as it lands, the streaming generator with explicit
 * recurrent state and beam search. Reads logits; never trains.
 */
package org.rnnlab.generate;
